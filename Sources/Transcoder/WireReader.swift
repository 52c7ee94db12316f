/// A bounds-checked cursor over protobuf wire bytes.
///
/// Positions are offsets from `base`, so that an error can name the byte
/// offset in the input. Every read checks `end`; nothing here allocates.
struct WireReader {
    let base: UnsafeRawPointer
    var position: Int
    let end: Int

    /// The largest valid field number (2^29 - 1).
    static let maxFieldNumber: UInt64 = (1 << 29) - 1

    init(base: UnsafeRawPointer, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    var isAtEnd: Bool { position >= end }

    @inline(__always)
    func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// Reads a varint of up to 10 bytes; bits past 64 are dropped as protobuf does.
    @inline(__always)
    mutating func readVarint() throws(WireToJSONFailure) -> UInt64 {
        guard position < end else { throw .malformed("truncated varint", at: position) }
        let first = byte(at: position)
        if first < 0x80 {
            position &+= 1
            return UInt64(first)
        }
        return try readVarintSlow()
    }

    @inline(never)
    mutating func readVarintSlow() throws(WireToJSONFailure) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .malformed("truncated varint", at: start) }
            let b = byte(at: position)
            position &+= 1
            if shift < 64 { result |= UInt64(b & 0x7F) << shift }
            if b < 0x80 { return result }
            shift &+= 7
            if shift >= 70 { throw .malformed("varint longer than 10 bytes", at: start) }
        }
    }

    /// Reads a tag; returns the field number and the raw wire type (0…7).
    /// Rejects field number 0, numbers above 2^29-1 and wire types 6 and 7.
    @inline(__always)
    mutating func readTag() throws(WireToJSONFailure) -> (number: Int32, wireType: UInt8) {
        let start = position
        let tag = try readVarint()
        let number = tag >> 3
        let wireType = UInt8(tag & 7)
        guard number != 0, number <= WireReader.maxFieldNumber, wireType <= 5 else {
            throw .malformed(number == 0 ? "field number 0" : "invalid tag \(tag)", at: start)
        }
        return (Int32(number), wireType)
    }

    @inline(__always)
    mutating func readFixed32() throws(WireToJSONFailure) -> UInt32 {
        guard end &- position >= 4 else { throw .malformed("truncated fixed32", at: position) }
        let v = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position &+= 4
        return v
    }

    @inline(__always)
    mutating func readFixed64() throws(WireToJSONFailure) -> UInt64 {
        guard end &- position >= 8 else { throw .malformed("truncated fixed64", at: position) }
        let v = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position &+= 8
        return v
    }

    /// Reads a length prefix and returns the range of the payload, moving past it.
    @inline(__always)
    mutating func readLengthDelimited() throws(WireToJSONFailure) -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(end &- position) else {
            throw .malformed("length \(length) past the end of the data", at: start)
        }
        let payloadStart = position
        position &+= Int(length)
        return payloadStart..<position
    }

    /// Skips the value of a field whose tag was just read. For a group, returns
    /// the range of its content (up to the matching end-group tag).
    @discardableResult
    @inline(__always)
    mutating func skipValue(number: Int32, wireType: UInt8, depth: Int, maxDepth: Int) throws(WireToJSONFailure) -> Range<Int> {
        let start = position
        switch wireType {
        case 0:
            _ = try readVarint()
        case 1:
            guard end &- position >= 8 else { throw .malformed("truncated fixed64", at: position) }
            position &+= 8
        case 2:
            return try readLengthDelimited()
        case 3:
            return try skipGroup(number: number, depth: depth, maxDepth: maxDepth)
        case 5:
            guard end &- position >= 4 else { throw .malformed("truncated fixed32", at: position) }
            position &+= 4
        default:
            throw .malformed("unexpected end-group tag for field \(number)", at: start)
        }
        return start..<position
    }

    /// Skips a group's content and its end-group tag; returns the content range.
    @inline(never)
    mutating func skipGroup(number: Int32, depth: Int, maxDepth: Int) throws(WireToJSONFailure) -> Range<Int> {
        guard depth < maxDepth else { throw WireToJSONFailure(.tooDeep, "groups nested deeper than \(maxDepth)", offset: position) }
        let contentStart = position
        while true {
            guard position < end else { throw .malformed("group \(number) has no end-group tag", at: contentStart) }
            let tagStart = position
            let tag = try readTag()
            if tag.wireType == 4 {
                guard tag.number == number else {
                    throw .malformed("end-group tag \(tag.number) does not match group \(number)", at: tagStart)
                }
                return contentStart..<tagStart
            }
            try skipValue(number: tag.number, wireType: tag.wireType, depth: depth + 1, maxDepth: maxDepth)
        }
    }
}
