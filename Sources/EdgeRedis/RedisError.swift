/// Why a command did not get a reply. An error *reply* (`-ERR ...`) is not one of these: it
/// completes the command with ``RESPValue/error(_:)``.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No reply within the command timeout.
    case timeout
    /// Connecting failed or the connection is backing off before the next attempt.
    case unavailable(String)
    /// The connection closed before the reply came.
    case connectionClosed
    /// The server sent bytes that are not RESP2.
    case protocolError(RESPParseError)
    /// Too many commands are waiting for replies on this connection.
    case overloaded(limit: Int)
    /// `AUTH` or `SELECT` was refused.
    case setupFailed(String)

    public var description: String {
        switch self {
        case .timeout: return "redis: command timed out"
        case .unavailable(let why): return "redis: unavailable (\(why))"
        case .connectionClosed: return "redis: connection closed"
        case .protocolError(let error): return "redis: protocol error: \(error)"
        case .overloaded(let limit): return "redis: more than \(limit) commands in flight"
        case .setupFailed(let why): return "redis: connection setup failed: \(why)"
        }
    }
}
