import NIOCore
import EdgeCore

/// The whole configuration file, validated (see ``ConfigLoader``). The format is
/// documented in `docs/config.md`; `examples/edge.yaml` uses every key.
public struct EdgeConfig: Sendable {
    public var listen: Listen
    public var descriptors: Descriptors
    public var clusters: [Cluster]
    /// Settings for every route, before per-route overrides.
    public var defaults: RouteOptions
    public var routes: [RouteOverride]
    /// Serve `POST /pkg.Service/Method` for every method in addition to its `google.api.http` rules.
    public var defaultRoutes: Bool
    public var metadata: Metadata
    /// Hot reload: SIGHUP always reloads; `watch` also polls the files.
    public var reload: Reload = .init()
    /// Credentials the edge verifies, and the global IP rules.
    public var auth: AuthConfig = .init()
    /// Cross-origin requests from browsers; `nil`: no CORS headers, preflights refused.
    public var cors: CORSConfig?
    /// `redis:` — the store of global rate limits; `nil` when not configured.
    public var redis: RateLimitRedisSettings?
    /// `rate_limits:` — the named limits routes refer to.
    public var rateLimits: [RateLimitDefinition] = []
    /// `rate_limit_options:` — how limits answer and how much memory local ones may take.
    public var rateLimitOptions: RateLimitOptions = .init()
    /// `openapi:` — the OpenAPI document and the docs page on the public listener.
    public var openAPI: OpenAPI = .init()
    /// `observability`: the access log and tracing.
    public var observability: ObservabilityConfig = .init()

    public init(
        listen: Listen = .init(), descriptors: Descriptors = .init(), clusters: [Cluster] = [],
        defaults: RouteOptions = .init(), routes: [RouteOverride] = [], defaultRoutes: Bool = true,
        metadata: Metadata = .init()
    ) {
        self.listen = listen
        self.descriptors = descriptors
        self.clusters = clusters
        self.defaults = defaults
        self.routes = routes
        self.defaultRoutes = defaultRoutes
        self.metadata = metadata
    }

    public struct Listen: Sendable, Equatable {
        public var server: ServerSettings
        public var admin: AdminSettings
        /// `nil`: `BENCH_GW_CPUS` or the core count (see ``eventLoopThreads(environment:)``).
        public var threads: Int?

        public init(server: ServerSettings = .init(), admin: AdminSettings = .init(), threads: Int? = nil) {
            self.server = server
            self.admin = admin
            self.threads = threads
        }
    }

    public struct Descriptors: Sendable, Equatable {
        /// Descriptor sets, `.proto` files or directories, resolved against the config file's folder.
        public var sources: [String]
        public var importPaths: [String]

        public init(sources: [String] = [], importPaths: [String] = []) {
            self.sources = sources
            self.importPaths = importPaths
        }
    }

    public struct Cluster: Sendable, Equatable {
        public var name: String
        public var endpoints: [Endpoint]
        public var tls: TLS?
        /// Full service names (`shop.v1.Catalog`) or package prefixes (`shop.v1`, also written `shop.v1.*`).
        public var services: [String]
        public var circuitBreaker: CircuitBreakerConfiguration
        /// `nil`: no active health checks (the default).
        public var healthCheck: HealthCheckConfiguration?
        public var outlierDetection: OutlierDetectionConfiguration
        /// Discover the cluster's services and their descriptors by gRPC server reflection,
        /// at start and on every reload; discovered services are routed to this cluster.
        public var reflection: Bool
        /// The cap on calls (unary and streams) in flight to the cluster (`max_requests`); `nil`: none.
        public var maxRequests: Int?

        public init(
            name: String, endpoints: [Endpoint], tls: TLS? = nil, services: [String],
            circuitBreaker: CircuitBreakerConfiguration = .defaults, healthCheck: HealthCheckConfiguration? = nil,
            outlierDetection: OutlierDetectionConfiguration = .defaults, reflection: Bool = false, maxRequests: Int? = nil
        ) {
            self.name = name
            self.endpoints = endpoints
            self.tls = tls
            self.services = services
            self.circuitBreaker = circuitBreaker
            self.healthCheck = healthCheck
            self.outlierDetection = outlierDetection
            self.reflection = reflection
            self.maxRequests = maxRequests
        }
    }

    /// `host:port`, parsed once, by ``UpstreamEndpoint/init(parsing:)``.
    public typealias Endpoint = UpstreamEndpoint

    /// A cluster's `tls`: TLS to its backends, with a client certificate for mTLS upstream.
    public struct TLS: Sendable, Equatable {
        /// PEM bundle of trusted roots; `nil`: the system's.
        public var caFile: String?
        /// The certificate chain and key the edge presents to the backends; `nil`: none.
        public var certFile: String?
        public var keyFile: String?
        /// SNI and the name the backend's certificate must carry; `nil`: the endpoint's host.
        public var serverName: String?

        public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.serverName = serverName
        }
    }

    public enum RouteKey: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// `pkg.Service.Method`
        case method(String)
        /// `GET /v1/things/{id}`
        case http(method: String, pattern: String)

        public var description: String {
            switch self {
            case .method(let name): return name
            case .http(let method, let pattern): return "\(method) \(pattern)"
            }
        }
    }

    public struct RouteOverride: Sendable, Equatable {
        public var key: RouteKey
        public var options: RouteOptions
        public init(key: RouteKey, options: RouteOptions) {
            self.key = key
            self.options = options
        }
    }

    /// Route settings as written: `nil` means "inherit".
    public struct RouteOptions: Sendable, Equatable {
        public var timeout: TimeAmount?
        public var maxTimeout: TimeAmount?
        public var maxBodyBytes: Int?
        public var retries: RetryOptions
        public var allowRetries: Bool?
        public var json: JSONOptions
        /// How a server-streaming response is framed (`stream_format`).
        public var streamFormat: StreamFormat?
        public var auth: AuthRequirement?
        public var scopes: [String]?
        public var claims: [String: [String]]?
        public var cors: CORSConfig?
        public var ip: IPRulesConfig?
        /// Names of `rate_limits` entries that apply (`rate_limits: [per-client]`); `[]` turns the defaults' off.
        public var rateLimits: [String]?
        /// `tracing: {sampling: 0.1}`: this route's ratio of new traces sampled.
        public var traceSampling: Double?
        /// The cap on the route's requests in flight (`max_in_flight`); `0`: none (`unlimited`,
        /// lifting the defaults' cap); `nil`: inherited.
        public var maxInFlight: Int?

        public init(
            timeout: TimeAmount? = nil, maxTimeout: TimeAmount? = nil, maxBodyBytes: Int? = nil,
            retries: RetryOptions = .init(), allowRetries: Bool? = nil, json: JSONOptions = .init(),
            streamFormat: StreamFormat? = nil
        ) {
            self.timeout = timeout
            self.maxTimeout = maxTimeout
            self.maxBodyBytes = maxBodyBytes
            self.retries = retries
            self.allowRetries = allowRetries
            self.json = json
            self.streamFormat = streamFormat
        }
    }

    /// The body of a server-streaming response (a client's `Accept: text/event-stream`
    /// picks Server-Sent Events whatever the route says).
    public enum StreamFormat: String, Sendable, Equatable, CaseIterable {
        /// `application/x-ndjson`: one JSON message per line.
        case ndjson
        /// `application/json`: one JSON array, an element per message, written as they arrive.
        case jsonArray = "json_array"
    }

    public struct RetryOptions: Sendable, Equatable {
        public var maxAttempts: Int?
        public var initialBackoff: TimeAmount?
        public var maxBackoff: TimeAmount?
        public var multiplier: Double?
        public var retryableCodes: Set<GRPCStatusCode>?
        public var budget: Double?
        public init(
            maxAttempts: Int? = nil, initialBackoff: TimeAmount? = nil, maxBackoff: TimeAmount? = nil,
            multiplier: Double? = nil, retryableCodes: Set<GRPCStatusCode>? = nil, budget: Double? = nil
        ) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.multiplier = multiplier
            self.retryableCodes = retryableCodes
            self.budget = budget
        }
    }

    public struct JSONOptions: Sendable, Equatable {
        public var emitUnpopulated: Bool?
        public var useProtoNames: Bool?
        public var enumsAsInts: Bool?
        public var ignoreUnknownFields: Bool?
        public var ignoreUnknownQueryParameters: Bool?
        public init(
            emitUnpopulated: Bool? = nil, useProtoNames: Bool? = nil, enumsAsInts: Bool? = nil,
            ignoreUnknownFields: Bool? = nil, ignoreUnknownQueryParameters: Bool? = nil
        ) {
            self.emitUnpopulated = emitUnpopulated
            self.useProtoNames = useProtoNames
            self.enumsAsInts = enumsAsInts
            self.ignoreUnknownFields = ignoreUnknownFields
            self.ignoreUnknownQueryParameters = ignoreUnknownQueryParameters
        }
    }

    /// `reload:` — when the gateway reloads its configuration and schema by itself.
    public struct Reload: Sendable, Equatable {
        /// Poll the configuration file and the descriptor sources for changes.
        public var watch: Bool
        /// How often `watch` looks at the files' modification times and sizes.
        public var pollInterval: TimeAmount

        public init(watch: Bool = false, pollInterval: TimeAmount = .seconds(2)) {
            self.watch = watch
            self.pollInterval = pollInterval
        }
    }

    /// `openapi:` — serve `GET /openapi.json`, `/openapi.yaml` and the docs page `GET /docs`.
    public struct OpenAPI: Sendable, Equatable {
        /// Serve the document (`/openapi.json`, `/openapi.yaml`).
        public var enabled: Bool
        /// Serve the interactive reference at `/docs` (needs `enabled`).
        public var docs: Bool
        /// Document the implicit `POST /pkg.Service/Method` routes too.
        public var defaultRoutes: Bool
        public var title: String
        public var version: String
        /// Who may read the document and the page (`auth`, `scopes`, `claims`, `cors`, `ip`,
        /// `rate_limits`, as a route's); the defaults: anyone the global IP rules let in.
        public var access: RouteAccess

        public init(
            enabled: Bool = false, docs: Bool = false, defaultRoutes: Bool = false, title: String = "edge", version: String = "1",
            access: RouteAccess = .init()
        ) {
            self.enabled = enabled
            self.docs = docs
            self.defaultRoutes = defaultRoutes
            self.title = title
            self.version = version
            self.access = access
        }
    }

    public struct Metadata: Sendable, Equatable {
        /// Request headers forwarded as metadata besides `Authorization` and `Grpc-Metadata-*`.
        public var forwardHeaders: [String]
        public init(forwardHeaders: [String] = []) { self.forwardHeaders = forwardHeaders }
    }
}

extension EdgeConfig {
    /// Event-loop threads: `BENCH_GW_CPUS` when set (benchmarks pin the gateway's cores),
    /// else `listen.threads`, else one per core.
    public func eventLoopThreads(environment: [String: String], coreCount: Int = System.coreCount) -> Int {
        if let value = environment["BENCH_GW_CPUS"], let count = Int(value), count > 0 { return count }
        return listen.threads ?? coreCount
    }

    public var metadataPolicy: MetadataPolicy { MetadataPolicy(forwardedHeaders: metadata.forwardHeaders) }
}
