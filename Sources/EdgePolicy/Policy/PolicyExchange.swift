import NIOHTTP1
import EdgeCore

/// One request as the policies see it, and what they decided about it so far.
///
/// Made once per request when its head is read (and only when the route has policies);
/// lives on the connection's event loop until the exchange completes, when the
/// ``ExchangeObserver``s see it once more.
public struct PolicyExchange: Sendable {
    public let head: HTTPRequestHead
    public let connection: ConnectionInfo
    /// The matched route; `nil` when nothing matched (the request will be refused with 404/405).
    public let route: RouteIdentity?
    public let requestID: String
    /// A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`),
    /// evaluated on the route of the method it asks about.
    public let isPreflight: Bool
    /// For a preflight: the methods the path has (what CORS allows when it names none).
    public let pathMethods: [String]

    /// Metadata for the backend (claims, the API-key consumer), added after the client's.
    public var metadata: [(name: String, value: String)] = []
    /// Headers for every response of this exchange (CORS, rate-limit fields).
    public var responseHeaders: [(name: String, value: String)] = []
    /// Who is calling, once a credential was verified.
    public var identity = CallerIdentity()
    /// The policy that refused or answered the request, if one did.
    public var decidedBy: String?
    /// Why it refused, as a short fixed token for metrics (`missing`, `invalid_token`, `forbidden`,
    /// `origin_not_allowed`, …); never the client's input.
    public var refusalReason: String?
    /// CORS saw an origin it does not allow (no CORS headers went out).
    public var corsRejected = false
    /// The rate limits' decisions on this request (`allowed`, `rejected`, `shadow_rejected`), by limit name.
    public var rateLimitDecisions: [(limit: String, decision: RateLimitDecisionKind)] = []
    /// The exchange's trace, when tracing is on (set before the policies run).
    public var trace: ExchangeTrace?
    /// The metrics' series of this exchange's route, found once when it starts.
    package var metricsSlot: (any AnyObject & Sendable)?
    /// The route's ``InFlightPolicy`` took a slot for this exchange: it gives it back when the
    /// exchange completes (and only then).
    public internal(set) var holdsInFlightSlot = false

    private let addresses: ClientAddressResolver
    private var resolvedClient: IPAddress??

    public init(
        head: HTTPRequestHead, connection: ConnectionInfo, route: RouteIdentity?, requestID: String,
        addresses: ClientAddressResolver = .init(), isPreflight: Bool = false, pathMethods: [String] = []
    ) {
        self.head = head
        self.connection = connection
        self.route = route
        self.requestID = requestID
        self.addresses = addresses
        self.isPreflight = isPreflight
        self.pathMethods = pathMethods
    }

    /// The client's address (through the trusted proxies), resolved once.
    public mutating func clientAddress() -> IPAddress? {
        if let resolvedClient { return resolvedClient }
        let address = addresses.resolve(peer: connection.remoteAddress, headers: head.headers)
        resolvedClient = .some(address)
        return address
    }

    /// The client's address: the one resolved already, else resolved now and not kept (for the
    /// observers, which see the finished exchange as a value and need not copy it to cache this).
    public func resolvedClientAddress() -> IPAddress? {
        if let resolvedClient { return resolvedClient }
        return addresses.resolve(peer: connection.remoteAddress, headers: head.headers)
    }
}

/// The route a request matched, as the policies and observers name it.
public struct RouteIdentity: Sendable, Equatable {
    /// `GET /v1/{name=shelves/*}`: the label in metrics and logs.
    public var label: String
    /// `pkg.Service/Method`
    public var method: String
    /// The route's own sampling ratio for new traces (`nil`: the global one).
    public var traceSampling: Double? {
        didSet { traceSampler = traceSampling.map(TraceSampler.init(ratio:)) }
    }
    /// ``traceSampling`` compiled once, with the route (not per request).
    public private(set) var traceSampler: TraceSampler?
    /// The path template alone (`/v1/{name=shelves/*}`): `http.route` in traces.
    public var template: String

    public init(label: String, method: String, traceSampling: Double? = nil) {
        self.label = label
        self.method = method
        self.traceSampling = traceSampling
        self.traceSampler = traceSampling.map(TraceSampler.init(ratio:))
        self.template = label.split(separator: " ", maxSplits: 1).last.map(String.init) ?? label
    }
}

/// A rate limit's decision on one request.
public enum RateLimitDecisionKind: Sendable, Equatable {
    case allowed, rejected, shadowRejected

    public var label: String {
        switch self {
        case .allowed: return "allowed"
        case .rejected: return "rejected"
        case .shadowRejected: return "shadow_rejected"
        }
    }
}

/// What the credentials of a request established.
public struct CallerIdentity: Sendable {
    /// The API-key consumer.
    public var consumer: String?
    /// A verified token's `sub`.
    public var subject: String?
    /// The credentials that were verified (`jwt:main`, `api_key`, `mtls`).
    public var verified: [String] = []

    public init(consumer: String? = nil, subject: String? = nil) {
        self.consumer = consumer
        self.subject = subject
    }
}
