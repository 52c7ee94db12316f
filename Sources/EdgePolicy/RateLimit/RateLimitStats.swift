import Atomics

/// Counters for the metrics issue to expose: per limit (allowed, rejected, shadow-rejected) and for
/// the Redis store (calls, errors, latency, time in failure mode). Relaxed atomics: no lock per request.
public final class RateLimitStats: Sendable {
    public final class PerLimit: Sendable {
        public let allowed = ManagedAtomic<Int>(0)
        public let rejected = ManagedAtomic<Int>(0)
        public let shadowRejected = ManagedAtomic<Int>(0)
    }

    public let limits: [String: PerLimit]
    public let redisCalls = ManagedAtomic<Int>(0)
    public let redisErrors = ManagedAtomic<Int>(0)
    /// Sum of Redis round-trip times, microseconds (divide by `redisCalls` for the mean).
    public let redisLatencyMicros = ManagedAtomic<Int>(0)
    /// Decisions taken in failure mode (fallback or 503) because Redis was away.
    public let failureModeDecisions = ManagedAtomic<Int>(0)
    /// Total time the per-loop breakers spent open, microseconds.
    public let failureModeMicros = ManagedAtomic<Int>(0)

    public init(limitNames: [String]) {
        var limits: [String: PerLimit] = [:]
        for name in limitNames { limits[name] = PerLimit() }
        self.limits = limits
    }

    package func record(_ decision: RateLimitDecision) {
        let allowed = decision.allowed
        for (check, outcome) in zip(decision.checks, decision.outcomes) {
            guard let counters = limits[check.definition.name] else { continue }
            if outcome.allowed {
                if allowed { counters.allowed.wrappingIncrement(ordering: .relaxed) }
            } else if check.definition.mode == .shadow {
                counters.shadowRejected.wrappingIncrement(ordering: .relaxed)
            } else {
                counters.rejected.wrappingIncrement(ordering: .relaxed)
            }
        }
    }
}
