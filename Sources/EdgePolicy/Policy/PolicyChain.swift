import EdgeCore

/// The policies of one route (or of requests that match no route), compiled once with the
/// route table into the gateway snapshot and shared by all its requests, so that it
/// reloads with the configuration. The order is the configuration's fixed order:
/// IP rules, CORS, authentication (and later rate limits); observers see every
/// completed exchange.
public final class PolicyChain: Sendable {
    public let policies: [any RequestPolicy]
    public let observers: [any ExchangeObserver]
    /// Which headers become metadata for this snapshot (`metadata.forward_headers`, the
    /// headers only policies may set); `nil`: the server's (tests that build no snapshot).
    public let metadataPolicy: MetadataPolicy?
    /// How the client's address is found (trusted proxies).
    public let addresses: ClientAddressResolver

    public init(
        policies: [any RequestPolicy] = [], observers: [any ExchangeObserver] = [], metadataPolicy: MetadataPolicy? = nil,
        addresses: ClientAddressResolver = .init()
    ) {
        self.policies = policies
        self.observers = observers
        self.metadataPolicy = metadataPolicy
        self.addresses = addresses
    }

    /// No policies, no observers: the exchange is not even built.
    public static let empty = PolicyChain()

    /// Whether requests on this chain need a ``PolicyExchange`` at all.
    public var isEmpty: Bool { policies.isEmpty && observers.isEmpty }

    public var names: [String] { policies.map(\.name) }
}
