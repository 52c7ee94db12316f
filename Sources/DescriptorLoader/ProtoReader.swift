/// A minimal protobuf wire reader for descriptor options; not the hot path.
struct ProtoReader {
    var bytes: ArraySlice<UInt8>

    struct Truncated: Error, CustomStringConvertible {
        var description: String { "truncated or malformed protobuf data" }
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.first {
            bytes.removeFirst()
            if shift >= 64 { throw Truncated() }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Truncated()
    }

    mutating func nextTag() throws -> (UInt64, UInt64)? {
        if bytes.isEmpty { return nil }
        let tag = try readVarint()
        return (tag >> 3, tag & 7)
    }

    mutating func readLengthDelimited() throws -> ArraySlice<UInt8> {
        let length = try readVarint()
        guard length <= UInt64(bytes.count) else { throw Truncated() }
        let slice = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return slice
    }

    mutating func readString() throws -> String {
        String(decoding: try readLengthDelimited(), as: UTF8.self)
    }

    mutating func skip(wireType: UInt64) throws {
        switch wireType {
        case 0: _ = try readVarint()
        case 1:
            guard bytes.count >= 8 else { throw Truncated() }
            bytes = bytes.dropFirst(8)
        case 2: _ = try readLengthDelimited()
        case 5:
            guard bytes.count >= 4 else { throw Truncated() }
            bytes = bytes.dropFirst(4)
        case 3:
            // Skip a group up to its matching end tag.
            while let (_, w) = try nextTag() {
                if w == 4 { return }
                try skip(wireType: w)
            }
            throw Truncated()
        default: throw Truncated()
        }
    }
}
