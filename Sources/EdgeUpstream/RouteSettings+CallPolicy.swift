import EdgeConfig

extension RouteSettings {
    /// The upstream call policy for a method: retries only when it is idempotent or the
    /// route allows them. Made once per route when the route table is compiled: a route
    /// with its own ``retryBudget`` gets a fresh ``RetryBudget`` from each call.
    public func callPolicy(idempotent: Bool) -> CallPolicy {
        CallPolicy(
            retry: retry, retriesAllowed: idempotent || allowRetries,
            retryBudget: retryBudget.map { RetryBudget(configuration: .init(ratio: $0)) })
    }
}
