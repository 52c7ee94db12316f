/// Why bytes from the server are not RESP2. Any of these ends the connection: after a framing
/// error the reply stream cannot be resynchronised.
public enum RESPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownType(UInt8)
    case missingLineFeed
    case bareLineFeed
    case lineTooLong(limit: Int)
    case invalidInteger
    case invalidLength(Int64)
    case bulkTooLarge(length: Int64, limit: Int)
    case arrayTooLarge(count: Int64, limit: Int)
    case nestedTooDeep(limit: Int)
    case bulkNotTerminated

    public var description: String {
        switch self {
        case .unknownType(let byte): return "unknown RESP type byte 0x\(String(byte, radix: 16))"
        case .missingLineFeed: return "CR not followed by LF"
        case .bareLineFeed: return "LF without CR in a line"
        case .lineTooLong(let limit): return "line longer than \(limit) bytes"
        case .invalidInteger: return "malformed integer"
        case .invalidLength(let length): return "invalid length \(length)"
        case .bulkTooLarge(let length, let limit): return "bulk string of \(length) bytes exceeds \(limit)"
        case .arrayTooLarge(let count, let limit): return "array of \(count) elements exceeds \(limit)"
        case .nestedTooDeep(let limit): return "arrays nested deeper than \(limit)"
        case .bulkNotTerminated: return "bulk string not followed by CRLF"
        }
    }
}
