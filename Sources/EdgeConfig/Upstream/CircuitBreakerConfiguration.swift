import NIOCore

/// When a cluster's circuit breaker opens, and how it recovers.
///
/// The breaker opens on `consecutiveFailures` failed calls in a row, or when at least
/// `minRequests` calls ended in the last `window` and the fraction of them that failed is
/// `errorRate` or more. While open, calls fail at once with UNAVAILABLE. After
/// `openTimeout` it is half-open: up to `halfOpenProbes` calls go through; the first that
/// succeeds closes it, one that fails opens it again for twice as long (up to
/// `maxOpenTimeout`). What counts as a failure: ``CircuitBreakerState/countsAsFailure(_:)``.
public struct CircuitBreakerConfiguration: Sendable, Equatable {
    public var enabled: Bool
    /// Failed calls in a row that open the breaker; 0 turns this trigger off.
    public var consecutiveFailures: Int
    /// Failed fraction of the calls in `window` that opens the breaker; 0 turns this trigger off.
    public var errorRate: Double
    public var window: TimeAmount
    /// Calls that must have ended in `window` before `errorRate` is considered.
    public var minRequests: Int
    public var openTimeout: TimeAmount
    public var maxOpenTimeout: TimeAmount
    /// Calls let through at once while half-open.
    public var halfOpenProbes: Int

    public init(
        enabled: Bool = true,
        consecutiveFailures: Int = 5,
        errorRate: Double = 0.5,
        window: TimeAmount = .seconds(10),
        minRequests: Int = 20,
        openTimeout: TimeAmount = .seconds(1),
        maxOpenTimeout: TimeAmount = .seconds(5),
        halfOpenProbes: Int = 1
    ) {
        self.enabled = enabled
        self.consecutiveFailures = consecutiveFailures
        self.errorRate = errorRate
        self.window = window
        self.minRequests = minRequests
        self.openTimeout = openTimeout
        self.maxOpenTimeout = max(maxOpenTimeout, openTimeout)
        self.halfOpenProbes = max(1, halfOpenProbes)
    }

    public static var defaults: CircuitBreakerConfiguration { .init() }
    public static var disabled: CircuitBreakerConfiguration { .init(enabled: false) }
}
