import NIOCore
import EdgeConfig

/// One upstream cluster: where its gRPC servers are and how to talk to them.
public struct UpstreamClusterConfig: Sendable, Equatable {
    public var name: String
    /// Parsed once, with the configuration (``UpstreamEndpoint/init(parsing:)``).
    public var endpoints: [UpstreamEndpoint]
    /// TLS with ALPN `h2`; otherwise plaintext HTTP/2 with prior knowledge (h2c).
    public var tls: Bool
    /// PEM file with the roots to trust; the system roots when nil.
    public var tlsCAFile: String?
    /// The client certificate chain and key presented to the servers (mTLS); none when nil.
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    /// SNI and certificate name; the endpoint's host when nil.
    public var tlsServerName: String?
    public var connectTimeout: TimeAmount
    /// Streams the edge keeps in flight on one connection before it opens another to the
    /// same endpoint (on the same event loop), up to `maxConnectionsPerEndpoint`.
    public var maxConcurrentStreams: Int
    public var maxConnectionsPerEndpoint: Int
    /// The HTTP/2 flow-control windows the edge grants the server, per stream and per connection.
    public var streamWindowSize: Int
    public var connectionWindowSize: Int
    public var retryBudget: RetryBudget.Configuration
    public var circuitBreaker: CircuitBreakerConfiguration
    /// Active `grpc.health.v1` checks; off when nil.
    public var healthCheck: HealthCheckConfiguration?
    public var outlierDetection: OutlierDetectionConfiguration
    /// The cap on calls (unary and streams) in flight to the cluster from this edge
    /// (`max_requests`): over it a call fails at once with UNAVAILABLE. `nil`: none.
    public var maxRequests: Int?
    /// The first stream ID of each unary connection (tests start near the end of the
    /// 31-bit range to see a connection run out of IDs and be replaced).
    package var firstStreamID = 1

    public init(
        name: String,
        endpoints: [UpstreamEndpoint],
        tls: Bool = false,
        tlsCAFile: String? = nil,
        tlsCertFile: String? = nil,
        tlsKeyFile: String? = nil,
        tlsServerName: String? = nil,
        connectTimeout: TimeAmount = .seconds(5),
        maxConcurrentStreams: Int = 100,
        maxConnectionsPerEndpoint: Int = 4,
        streamWindowSize: Int = 8 << 20,
        connectionWindowSize: Int = 16 << 20,
        retryBudget: RetryBudget.Configuration = .defaults,
        circuitBreaker: CircuitBreakerConfiguration = .defaults,
        healthCheck: HealthCheckConfiguration? = nil,
        outlierDetection: OutlierDetectionConfiguration = .defaults,
        maxRequests: Int? = nil
    ) {
        self.name = name
        self.endpoints = endpoints
        self.tls = tls
        self.tlsCAFile = tlsCAFile
        self.tlsCertFile = tlsCertFile
        self.tlsKeyFile = tlsKeyFile
        self.tlsServerName = tlsServerName
        self.connectTimeout = connectTimeout
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint
        self.streamWindowSize = streamWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.retryBudget = retryBudget
        self.circuitBreaker = circuitBreaker
        self.healthCheck = healthCheck
        self.outlierDetection = outlierDetection
        self.maxRequests = maxRequests
    }
}
