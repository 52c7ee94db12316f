import NIOCore

/// A command encoded once as a RESP array of bulk strings, ready to write.
public struct RedisCommand: Sendable, Equatable {
    public private(set) var encoded: ByteBuffer

    /// `RedisCommand(["SET", "k", "v"])`.
    public init(_ arguments: [String]) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.utf8.count + 16 })
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.utf8.count))
            buffer.writeStaticString("\r\n")
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
        self.encoded = buffer
    }

    public init(_ arguments: String...) { self.init(arguments) }

    /// A command of exactly `argumentCount` arguments, appended next with the `append` methods
    /// (no array of arguments, no `String` per number): for commands built per request.
    /// Appending more or fewer arguments than declared makes a malformed command.
    public init(argumentCount: Int, capacity: Int = 128) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(capacity)
        buffer.writeStaticString("*")
        Self.writeDecimal(Int64(argumentCount), to: &buffer)
        buffer.writeStaticString("\r\n")
        self.encoded = buffer
    }

    /// Continues `buffer`: the command's bytes are written after the ones already in it (the
    /// commands of one loop tick, written into one buffer). No header is written: the first
    /// thing appended is the `*N` of a command (``append(encoded:)`` of a prefix made with
    /// ``init(argumentCount:capacity:)``).
    public init(continuing buffer: ByteBuffer) {
        self.encoded = buffer
    }

    /// Appends already encoded bytes as they are: a whole command, or the start of one
    /// (`*N`, the first arguments) encoded once.
    public mutating func append(encoded bytes: ByteBuffer) {
        encoded.writeImmutableBuffer(bytes)
    }

    /// Room for `capacity` bytes in all, so that appending does not grow the buffer in steps.
    public mutating func reserveCapacity(_ capacity: Int) {
        encoded.reserveCapacity(capacity)
    }

    /// Appends one argument: the text's UTF-8 bytes.
    public mutating func append(_ argument: String) {
        appendArgument(length: argument.utf8.count) { $0.writeString(argument) }
    }

    /// Appends one argument: the number in decimal.
    public mutating func append(_ argument: Int64) {
        writeHeader(length: Self.decimalLength(argument), number: argument)
    }

    /// Appends one argument of `length` bytes that `write` writes (pieces of a key, say, without
    /// joining them into a `String` first). `write` must write exactly `length` bytes.
    public mutating func appendArgument(length: Int, _ write: (inout ByteBuffer) -> Void) {
        writeHeader(length: length, number: nil)
        write(&encoded)
        encoded.writeStaticString("\r\n")
    }

    /// `$<length>\r\n`, and for a number argument its `<digits>\r\n` too, in one write (each
    /// write into a `ByteBuffer` checks its room and its uniqueness: per byte, that costs more
    /// than the bytes).
    private mutating func writeHeader(length: Int, number: Int64?) {
        withUnsafeTemporaryAllocation(byteCount: 48, alignment: 1) { scratch in
            scratch[0] = UInt8(ascii: "$")
            var count = Self.putDecimal(Int64(length), into: scratch, at: 1)
            scratch[count] = UInt8(ascii: "\r")
            scratch[count + 1] = UInt8(ascii: "\n")
            count += 2
            if let number {
                count = Self.putDecimal(number, into: scratch, at: count)
                scratch[count] = UInt8(ascii: "\r")
                scratch[count + 1] = UInt8(ascii: "\n")
                count += 2
            }
            _ = encoded.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
    }

    /// Writes `value` in decimal at `start` (room for 20 bytes needed); returns the index past it.
    private static func putDecimal(_ value: Int64, into bytes: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        let end = start + decimalLength(value)
        var magnitude = value.magnitude
        var index = end - 1
        repeat {
            bytes[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        if value < 0 { bytes[start] = UInt8(ascii: "-") }
        return end
    }

    /// The digits (and sign) of `value` in decimal.
    static func decimalLength(_ value: Int64) -> Int {
        if value == .min { return 20 }
        var magnitude = value < 0 ? -value : value
        var digits = 1
        while magnitude >= 10 {
            magnitude /= 10
            digits += 1
        }
        return value < 0 ? digits + 1 : digits
    }

    static func writeDecimal(_ value: Int64, to buffer: inout ByteBuffer) {
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { scratch in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[0..<putDecimal(value, into: scratch, at: 0)]))
        }
    }

    /// Binary arguments.
    public init(buffers arguments: [ByteBuffer]) {
        var buffer = ByteBuffer()
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for var argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeBuffer(&argument)
            buffer.writeStaticString("\r\n")
        }
        self.encoded = buffer
    }
}
