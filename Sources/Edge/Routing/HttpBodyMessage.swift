import NIOCore

/// The wire form of `google.api.HttpBody` (`content_type` = 1, `data` = 2,
/// `extensions` = 3), written and read straight from `ByteBuffer`s: raw bodies
/// can be large, and go through no JSON.
public enum HttpBodyMessage {
    /// Appends `HttpBody{content_type, data}`; with `fieldNumber`, wrapped as that
    /// length-delimited field of the enclosing request message.
    public static func write(contentType: String, data: ByteBuffer, fieldNumber: Int32? = nil, into buffer: inout ByteBuffer) {
        let typeLength = contentType.utf8.count
        var inner = 0
        if typeLength > 0 { inner += 1 + varintSize(UInt64(typeLength)) + typeLength }
        if data.readableBytes > 0 { inner += 1 + varintSize(UInt64(data.readableBytes)) + data.readableBytes }
        if let fieldNumber {
            writeVarint(UInt64(fieldNumber) << 3 | 2, into: &buffer)
            writeVarint(UInt64(inner), into: &buffer)
        }
        if typeLength > 0 {
            buffer.writeInteger(UInt8(0x0A))
            writeVarint(UInt64(typeLength), into: &buffer)
            buffer.writeString(contentType)
        }
        if data.readableBytes > 0 {
            buffer.writeInteger(UInt8(0x12))
            writeVarint(UInt64(data.readableBytes), into: &buffer)
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
        var buffer = message
        var contentType = ""
        var data = ByteBuffer()
        while buffer.readableBytes > 0 {
            guard let key = readVarint(&buffer) else { return nil }
            let field = key >> 3
            switch key & 7 {
            case 0:
                guard readVarint(&buffer) != nil else { return nil }
            case 1:
                guard buffer.readSlice(length: 8) != nil else { return nil }
            case 5:
                guard buffer.readSlice(length: 4) != nil else { return nil }
            case 2:
                guard let length = readVarint(&buffer), length <= UInt64(buffer.readableBytes),
                    let slice = buffer.readSlice(length: Int(length))
                else { return nil }
                if field == 1 {
                    contentType = String(buffer: slice)
                } else if field == 2 {
                    data = slice
                }
            default:
                return nil
            }
        }
        return RawBody(contentType: contentType, data: data)
    }

    private static func varintSize(_ value: UInt64) -> Int {
        var value = value
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    private static func writeVarint(_ value: UInt64, into buffer: inout ByteBuffer) {
        var value = value
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    private static func readVarint(_ buffer: inout ByteBuffer) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            guard let byte = buffer.readInteger(as: UInt8.self) else { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
