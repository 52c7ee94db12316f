import NIOCore
import NIOSSL

/// Where the Redis server is and how the client talks to it.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// `AUTH [username] password` right after connecting.
    public var username: String?
    public var password: String?
    /// `SELECT database` right after connecting (0: not sent).
    public var database: Int
    /// `nil`: plaintext.
    public var tls: TLSConfiguration?
    /// The name the TLS handshake sends (SNI) and verifies; `nil`: `host`.
    public var tlsServerName: String?
    public var connectTimeout: TimeAmount
    /// How long a command may wait for its reply before it fails with ``RedisError/timeout``.
    public var commandTimeout: TimeAmount
    /// Wait after a failed connection before the next attempt, doubling up to ``maxReconnectBackoff``.
    public var reconnectBackoff: TimeAmount
    public var maxReconnectBackoff: TimeAmount
    /// Commands waiting for replies on one connection, beyond which new ones fail at once.
    public var maxPendingCommands: Int
    public var limits: RESPLimits
    /// Scripts loaded (`SCRIPT LOAD`) on every new connection, so that their first `EVALSHA` does not
    /// pay a `NOSCRIPT` round trip.
    public var preloadScripts: [RedisScript] = []

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, tls: TLSConfiguration? = nil, tlsServerName: String? = nil,
        connectTimeout: TimeAmount = .milliseconds(500), commandTimeout: TimeAmount = .milliseconds(20),
        reconnectBackoff: TimeAmount = .milliseconds(100), maxReconnectBackoff: TimeAmount = .seconds(2),
        maxPendingCommands: Int = 10_000, limits: RESPLimits = .defaults
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.tlsServerName = tlsServerName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
        self.maxReconnectBackoff = maxReconnectBackoff
        self.maxPendingCommands = maxPendingCommands
        self.limits = limits
    }
}
