import NIOCore
import Transcoder

/// Everything the configuration says about one route, resolved (defaults applied).
public struct RouteSettings: Sendable, Equatable {
    public var timeout: TimeAmount
    public var maxTimeout: TimeAmount
    public var maxBodyBytes: Int
    public var retry: RetryPolicy
    /// Fraction of requests that may be retries (0...1); the upstream client enforces it.
    public var retryBudget: Double
    /// Retries even for methods not marked idempotent.
    public var allowRetries: Bool
    public var parseOptions: JSONParseOptions
    public var printOptions: JSONPrintOptions
    public var ignoreUnknownQueryParameters: Bool
    /// The framing of server-streaming responses (SSE when the client asks for `text/event-stream`).
    public var streamFormat: EdgeConfig.StreamFormat
    /// What the route requires of its caller (auth, scopes, CORS, IP rules).
    public var access: RouteAccess = .init()

    public init(
        timeout: TimeAmount = .seconds(15),
        maxTimeout: TimeAmount = .seconds(60),
        maxBodyBytes: Int = 4 << 20,
        retry: RetryPolicy = .init(),
        retryBudget: Double = 0.2,
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

    /// The upstream call policy for a method: retries only when it is idempotent or the route allows them.
    public func callPolicy(idempotent: Bool) -> CallPolicy {
        CallPolicy(retry: retry, retriesAllowed: idempotent || allowRetries)
    }
}
