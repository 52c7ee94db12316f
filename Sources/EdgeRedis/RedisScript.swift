/// A Lua script run with `EVALSHA` by its SHA-1, sent in full (`EVAL`, which also caches it on the
/// server) only when the server answers `NOSCRIPT` — after a restart, a failover or `SCRIPT FLUSH`.
public struct RedisScript: Sendable, Equatable {
    public let source: String
    /// Lowercase hex SHA-1 of ``source``, as `SCRIPT LOAD` would return it.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(source)
    }

    func evalSHA(keys: [String], arguments: [String]) -> RedisCommand {
        RedisCommand(["EVALSHA", sha1, String(keys.count)] + keys + arguments)
    }

    func eval(keys: [String], arguments: [String]) -> RedisCommand {
        RedisCommand(["EVAL", source, String(keys.count)] + keys + arguments)
    }
}
