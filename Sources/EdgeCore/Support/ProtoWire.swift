import NIOCore

/// Just enough of the protobuf wire format, on `ByteBuffer`s, for the few messages the
/// edge itself reads and writes without a schema (reflection, health checks, HttpBody).
package enum ProtoWire {
    package struct Malformed: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { "malformed protobuf: \(reason)" }

        package init(reason: String) {
            self.reason = reason
        }
    }

    package enum Value {
        case varint(UInt64)
        case bytes(ByteBuffer)
        case fixed
    }

    package static func writeVarint(_ value: UInt64, into buffer: inout ByteBuffer) {
        var value = value
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    package static func varintSize(_ value: UInt64) -> Int {
        var value = value
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    package static func writeString(_ field: Int, _ text: String, into buffer: inout ByteBuffer) {
        writeVarint(UInt64(field << 3 | 2), into: &buffer)
        writeVarint(UInt64(text.utf8.count), into: &buffer)
        buffer.writeString(text)
    }

    /// Reads fields one by one; groups (wire types 3 and 4) are refused.
    package struct Reader {
        private var buffer: ByteBuffer

        package init(_ buffer: ByteBuffer) { self.buffer = buffer }

        package mutating func next() throws -> (Int, Value)? {
            guard buffer.readableBytes > 0 else { return nil }
            let key = try varint()
            let field = Int(truncatingIfNeeded: key >> 3)
            switch key & 7 {
            case 0: return (field, .varint(try varint()))
            case 1: return (field, try skip(8))
            case 5: return (field, try skip(4))
            case 2:
                let length = try varint()
                guard length <= UInt64(buffer.readableBytes), let slice = buffer.readSlice(length: Int(length)) else {
                    throw Malformed(reason: "field \(field) is longer than the message")
                }
                return (field, .bytes(slice))
            default:
                throw Malformed(reason: "unsupported wire type \(key & 7) for field \(field)")
            }
        }

        private mutating func skip(_ count: Int) throws -> Value {
            guard buffer.readSlice(length: count) != nil else { throw Malformed(reason: "truncated fixed-size field") }
            return .fixed
        }

        private mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 64 {
                guard let byte = buffer.readInteger(as: UInt8.self) else { throw Malformed(reason: "truncated varint") }
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw Malformed(reason: "varint longer than 10 bytes")
        }
    }
}
