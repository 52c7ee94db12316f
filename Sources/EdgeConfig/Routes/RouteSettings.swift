import NIOCore
import Transcoder

/// Everything the configuration says about one route, resolved (defaults applied).
public struct RouteSettings: Sendable, Equatable {
    public var timeout: TimeAmount
    public var maxTimeout: TimeAmount
    public var maxBodyBytes: Int
    public var retry: RetryPolicy
    /// The route's own retry budget, the fraction of its requests that may be retries
    /// (0...1), set by a `routes` entry's `retries.budget`: the route's requests and
    /// retries are counted apart from the rest of the cluster's. `nil`: the cluster's
    /// budget (`defaults.retries.budget`, shared by every route to the cluster).
    public var retryBudget: Double?
    /// Retries even for methods not marked idempotent.
    public var allowRetries: Bool
    public var parseOptions: JSONParseOptions
    public var printOptions: JSONPrintOptions
    public var ignoreUnknownQueryParameters: Bool
    /// The framing of server-streaming responses (SSE when the client asks for `text/event-stream`).
    public var streamFormat: EdgeConfig.StreamFormat
    /// What the route requires of its caller (auth, scopes, CORS, IP rules).
    public var access: RouteAccess = .init()
    /// The route's own ratio of new traces sampled (`nil`: `observability.tracing.sampling`).
    public var traceSampling: Double?

    public init(
        timeout: TimeAmount = .seconds(15),
        maxTimeout: TimeAmount = .seconds(60),
        maxBodyBytes: Int = 4 << 20,
        retry: RetryPolicy = .init(),
        retryBudget: Double? = nil,
        allowRetries: Bool = false,
        parseOptions: JSONParseOptions = .defaults,
        printOptions: JSONPrintOptions = .defaults,
        ignoreUnknownQueryParameters: Bool = false,
        streamFormat: EdgeConfig.StreamFormat = .ndjson
    ) {
        self.timeout = timeout
        self.maxTimeout = maxTimeout
        self.maxBodyBytes = maxBodyBytes
        self.retry = retry
        self.retryBudget = retryBudget
        self.allowRetries = allowRetries
        self.parseOptions = parseOptions
        self.printOptions = printOptions
        self.ignoreUnknownQueryParameters = ignoreUnknownQueryParameters
        self.streamFormat = streamFormat
    }
}
