import NIOCore
import EdgeCore

/// The wire form of `google.api.HttpBody` (`content_type` = 1, `data` = 2,
/// `extensions` = 3), written and read straight from `ByteBuffer`s: raw bodies
/// can be large, and go through no JSON.
public enum HttpBodyMessage {
    /// Appends `HttpBody{content_type, data}`; with `fieldNumber`, wrapped as that
    /// length-delimited field of the enclosing request message.
    public static func write(contentType: String, data: ByteBuffer, fieldNumber: Int32? = nil, into buffer: inout ByteBuffer) {
        let typeLength = contentType.utf8.count
        var inner = 0
        if typeLength > 0 { inner += 1 + ProtoWire.varintSize(UInt64(typeLength)) + typeLength }
        if data.readableBytes > 0 { inner += 1 + ProtoWire.varintSize(UInt64(data.readableBytes)) + data.readableBytes }
        if let fieldNumber {
            ProtoWire.writeVarint(UInt64(fieldNumber) << 3 | 2, into: &buffer)
            ProtoWire.writeVarint(UInt64(inner), into: &buffer)
        }
        if typeLength > 0 {
            buffer.writeInteger(UInt8(0x0A))
            ProtoWire.writeVarint(UInt64(typeLength), into: &buffer)
            buffer.writeString(contentType)
        }
        if data.readableBytes > 0 {
            buffer.writeInteger(UInt8(0x12))
            ProtoWire.writeVarint(UInt64(data.readableBytes), into: &buffer)
            buffer.writeImmutableBuffer(data)
        }
    }

    /// The bytes `write` produces, for sizing a buffer.
    public static func size(contentType: String, dataBytes: Int, wrapped: Bool) -> Int {
        16 + contentType.utf8.count + dataBytes + (wrapped ? 12 : 0)
    }

    /// Reads `content_type` and `data` (as a slice, no copy); other fields are skipped,
    /// a repeated field's last occurrence wins. `nil` when the wire data is malformed.
    public static func read(_ message: ByteBuffer) -> RawBody? {
        var reader = ProtoWire.Reader(message)
        var contentType = ""
        var data = ByteBuffer()
        do {
            while let (field, value) = try reader.next() {
                guard case .bytes(let slice) = value else { continue }
                if field == 1 {
                    contentType = String(buffer: slice)
                } else if field == 2 {
                    data = slice
                }
            }
        } catch {
            return nil
        }
        return RawBody(contentType: contentType, data: data)
    }
}
