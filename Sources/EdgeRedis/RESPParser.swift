import NIOCore

/// A pure RESP2 reply parser: bytes in, replies out, no I/O.
///
/// It is incremental: ``parse(_:)`` returns `nil` and consumes nothing while a reply is incomplete,
/// and is called again when more bytes arrive. A malformed reply throws ``RESPParseError``; nothing
/// traps, whatever the bytes. Replies are small (a script's answer, `OK`), so re-scanning an
/// incomplete reply from its start is cheaper than keeping a resumable stack; ``RESPLimits`` bounds
/// what a re-scan can cost.
public struct RESPParser: Sendable {
    public var limits: RESPLimits

    public init(limits: RESPLimits = .defaults) {
        self.limits = limits
    }

    /// The next complete reply at the buffer's reader index (which moves past it), or `nil` when
    /// the buffer does not hold a whole reply yet (the reader index does not move).
    public func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        guard let (value, end) = try parseValue(buffer, at: buffer.readerIndex, depth: 0) else { return nil }
        buffer.moveReaderIndex(to: end)
        return value
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// A value starting at `index`: the value and the index just past it, or `nil` if incomplete.
    private func parseValue(_ buffer: ByteBuffer, at index: Int, depth: Int) throws -> (RESPValue, Int)? {
        guard let type = buffer.getInteger(at: index, as: UInt8.self) else { return nil }
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"): break
        default: throw RESPParseError.unknownType(type)
        }
        guard let (lineEnd, next) = try findLine(buffer, from: index + 1) else { return nil }
        let lineStart = index + 1
        switch type {
        case UInt8(ascii: "+"):
            return (.simpleString(buffer.getSlice(at: lineStart, length: lineEnd - lineStart)!), next)
        case UInt8(ascii: "-"):
            return (.error(buffer.getSlice(at: lineStart, length: lineEnd - lineStart)!), next)
        case UInt8(ascii: ":"):
            return (.integer(try Self.integer(buffer, from: lineStart, to: lineEnd)), next)
        case UInt8(ascii: "$"):
            let length = try Self.integer(buffer, from: lineStart, to: lineEnd)
            if length == -1 { return (.bulkString(nil), next) }
            guard length >= 0 else { throw RESPParseError.invalidLength(length) }
            guard length <= limits.maxBulkBytes else { throw RESPParseError.bulkTooLarge(length: length, limit: limits.maxBulkBytes) }
            let count = Int(length)
            guard buffer.writerIndex - next >= count + 2 else { return nil }
            guard buffer.getInteger(at: next + count, as: UInt8.self) == Self.cr,
                buffer.getInteger(at: next + count + 1, as: UInt8.self) == Self.lf
            else { throw RESPParseError.bulkNotTerminated }
            return (.bulkString(buffer.getSlice(at: next, length: count)!), next + count + 2)
        default:  // "*"
            let count = try Self.integer(buffer, from: lineStart, to: lineEnd)
            if count == -1 { return (.array(nil), next) }
            guard count >= 0 else { throw RESPParseError.invalidLength(count) }
            guard count <= limits.maxArrayCount else { throw RESPParseError.arrayTooLarge(count: count, limit: limits.maxArrayCount) }
            guard depth < limits.maxDepth else { throw RESPParseError.nestedTooDeep(limit: limits.maxDepth) }
            // Every element takes at least 3 bytes, so an incomplete array is known before any allocation.
            guard buffer.writerIndex - next >= Int(count) * 3 else { return nil }
            var elements: [RESPValue] = []
            elements.reserveCapacity(Int(count))
            var position = next
            for _ in 0..<count {
                guard let (element, end) = try parseValue(buffer, at: position, depth: depth + 1) else { return nil }
                elements.append(element)
                position = end
            }
            return (.array(elements), position)
        }
    }

    /// The index of the CR ending the line that starts at `start`, and the index after its LF;
    /// `nil` when the line is not complete yet.
    private func findLine(_ buffer: ByteBuffer, from start: Int) throws -> (Int, Int)? {
        let available = buffer.writerIndex - start
        let scan = min(available, limits.maxLineBytes + 1)
        let found: Int? = buffer.withUnsafeReadableBytes { bytes in
            let base = start - buffer.readerIndex
            for offset in 0..<scan {
                let byte = bytes[base + offset]
                if byte == Self.cr || byte == Self.lf { return offset }
            }
            return nil
        }
        guard let offset = found else {
            if available > limits.maxLineBytes { throw RESPParseError.lineTooLong(limit: limits.maxLineBytes) }
            return nil
        }
        if offset > limits.maxLineBytes { throw RESPParseError.lineTooLong(limit: limits.maxLineBytes) }
        let at = start + offset
        if buffer.getInteger(at: at, as: UInt8.self) == Self.lf { throw RESPParseError.bareLineFeed }
        guard let after = buffer.getInteger(at: at + 1, as: UInt8.self) else { return nil }
        guard after == Self.lf else { throw RESPParseError.missingLineFeed }
        return (at, at + 2)
    }

    /// A decimal `Int64` (optional leading `-`), nothing else.
    private static func integer(_ buffer: ByteBuffer, from start: Int, to end: Int) throws -> Int64 {
        var index = start
        var negative = false
        if buffer.getInteger(at: index, as: UInt8.self) == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < end, end - index <= 19 else { throw RESPParseError.invalidInteger }
        var value: Int64 = 0
        while index < end {
            let byte = buffer.getInteger(at: index, as: UInt8.self)!
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw RESPParseError.invalidInteger }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw RESPParseError.invalidInteger }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}
