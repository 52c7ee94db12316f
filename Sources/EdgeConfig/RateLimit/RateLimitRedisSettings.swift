import NIOCore

/// `redis:` in the configuration: where the global limits' counters live and what to do without them.
public struct RateLimitRedisSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The command timeout: a request never waits longer than this for Redis.
    public var timeout: TimeAmount
    public var connectTimeout: TimeAmount
    public var failureMode: RateLimitFailureMode
    /// Edge instances sharing the limits; the local fallback allows each `rate / instances`.
    public var instances: Int
    public var username: String?
    public var password: String?
    public var database: Int
    /// TLS to Redis; `caFile` `nil` with `tls` on: the system's roots.
    public var tls: Bool
    public var caFile: String?
    /// Failed calls in a row that open the breaker (then Redis is not asked until `breakerOpenTime` passed).
    public var breakerFailures: Int
    public var breakerOpenTime: TimeAmount

    public init(
        host: String = "127.0.0.1", port: Int = 6379, timeout: TimeAmount = .milliseconds(20), connectTimeout: TimeAmount = .milliseconds(500),
        failureMode: RateLimitFailureMode = .open, instances: Int = 1, username: String? = nil, password: String? = nil, database: Int = 0,
        tls: Bool = false, caFile: String? = nil, breakerFailures: Int = 3, breakerOpenTime: TimeAmount = .milliseconds(500)
    ) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.failureMode = failureMode
        self.instances = instances
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.caFile = caFile
        self.breakerFailures = breakerFailures
        self.breakerOpenTime = breakerOpenTime
    }
}
