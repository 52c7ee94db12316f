import NIOCore

/// One RESP2 reply: what ``RESPParser`` produces and commands complete with.
///
/// Strings stay `ByteBuffer`s (slices of the received bytes); ``string`` makes text when a human needs one.
public enum RESPValue: Sendable, Equatable {
    /// `+OK\r\n`
    case simpleString(ByteBuffer)
    /// `-ERR message\r\n`: a reply, not a transport failure (the connection stays usable).
    case error(ByteBuffer)
    /// `:42\r\n`
    case integer(Int64)
    /// `$3\r\nfoo\r\n`; `nil` for the null bulk string `$-1\r\n`.
    case bulkString(ByteBuffer?)
    /// `*2\r\n...`; `nil` for the null array `*-1\r\n`.
    case array([RESPValue]?)

    /// The text of a simple string, bulk string or error.
    public var string: String? {
        switch self {
        case .simpleString(let bytes), .error(let bytes), .bulkString(.some(let bytes)):
            return String(buffer: bytes)
        default:
            return nil
        }
    }

    /// An integer reply, or a string that holds a decimal integer.
    public var int64: Int64? {
        switch self {
        case .integer(let value): return value
        case .simpleString, .bulkString(.some): return string.flatMap { Int64($0) }
        default: return nil
        }
    }

    public var array: [RESPValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isError: Bool {
        if case .error = self { return true }
        return false
    }

    /// The error reply's text (`NOSCRIPT No matching script...`), if this is one.
    public var errorMessage: String? {
        if case .error(let bytes) = self { return String(buffer: bytes) }
        return nil
    }
}
