import EdgeCore

/// A route's cap on requests in flight (`max_in_flight`), as the last policy of its chain, so
/// that only requests every other policy let through hold a slot: it takes one in
/// ``evaluate(_:)`` and, as an observer of the same chain, gives it back in
/// ``exchangeCompleted(_:outcome:)`` — which the server calls exactly once for every exchange
/// whose chain ran, whatever its end (answered, refused, failed, the client gone, a stream or
/// WebSocket over).
///
/// At the cap the request is refused at once, before any backend call, with UNAVAILABLE:
/// **503** and the `google.rpc.Status` JSON naming the route and its cap (as Envoy's
/// circuit-breaker thresholds answer an overflow). Preflights are answered by CORS and take
/// no slot.
///
/// Counted per route (each `VERB /pattern`, as metrics label routes), not per chain: routes
/// with a cap get a chain of their own (``RouteAccess/inFlightLabel``).
package struct InFlightPolicy: RequestPolicy, ExchangeObserver {
    package let name = "in_flight"
    package let limit: InFlightLimit
    private let refusal: EdgeError

    package init(route: String, limit: InFlightLimit) {
        self.limit = limit
        self.refusal = EdgeError(
            code: .unavailable,
            message: "route \(route) has its maximum of \(limit.maximum) requests in flight (max_in_flight); try again later")
    }

    package func evaluate(_ exchange: inout PolicyExchange) -> PolicyVerdict {
        guard !exchange.isPreflight else { return .proceed }
        guard limit.tryAcquire() else { return .refuse(refusal) }
        exchange.holdsInFlightSlot = true
        return .proceed
    }

    package func exchangeCompleted(_ exchange: PolicyExchange, outcome: ExchangeOutcome) {
        if exchange.holdsInFlightSlot { limit.release() }
    }
}
