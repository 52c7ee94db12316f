import NIOCore
import EdgeConfig

/// Per-route call policy: what the route's configuration says about retries.
public struct CallPolicy: Sendable {
    public var retry: RetryPolicy
    /// Whether a failed attempt may be retried at all (idempotent method, or the route allows it).
    public var retriesAllowed: Bool
    public var maxResponseBytes: Int
    /// The route's own retry budget (`routes[].retries.budget`); `nil`: the cluster's.
    public var retryBudget: RetryBudget?

    public init(
        retry: RetryPolicy = .init(), retriesAllowed: Bool = false, maxResponseBytes: Int = 4 << 20,
        retryBudget: RetryBudget? = nil
    ) {
        self.retry = retry
        self.retriesAllowed = retriesAllowed
        self.maxResponseBytes = maxResponseBytes
        self.retryBudget = retryBudget
    }
}
