/// One cross-cutting check on the way in, in the spirit of Envoy's HTTP filters and
/// Hummingbird's middleware, but synchronous on the connection's event loop.
///
/// A policy is compiled once, with the route table, into a route's ``PolicyChain`` (so it
/// reloads with the configuration) and is shared by every request of that route: it holds
/// no per-request state. ``evaluate(_:)`` runs on the request head; it may read the head
/// and the connection, add upstream metadata and response headers to the exchange, and
/// answers with a ``PolicyVerdict``. It must not block: what needs I/O (a key-set fetch,
/// a Redis reply) is asked for with ``PolicyVerdict/suspend(_:)``.
public protocol RequestPolicy: Sendable {
    /// A short name for logs, metrics and the access log's "refused by" (`ip`, `cors`, `auth`).
    var name: String { get }

    func evaluate(_ exchange: inout PolicyExchange) -> PolicyVerdict
}

/// Sees every completed exchange of the routes whose chain holds it — answered by the
/// backend, refused by a policy, or failed — once its response is written.
/// Runs on the connection's event loop: record, do not block.
public protocol ExchangeObserver: Sendable {
    /// The request head was read and matched (or not), before any policy ran: the observer
    /// may note the exchange in flight, or start its trace (``PolicyExchange/trace``).
    func exchangeStarted(_ exchange: inout PolicyExchange)
    func exchangeCompleted(_ exchange: PolicyExchange, outcome: ExchangeOutcome)
}

extension ExchangeObserver {
    public func exchangeStarted(_ exchange: inout PolicyExchange) {}
}
