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

    /// The same counters in configuration order, for ``record(_:)``: a request's limit is found by
    /// comparing names (a name taken from the configuration is the same string, compared without
    /// reading its bytes), not by hashing it on every request.
    private let ordered: [(name: String, counters: PerLimit)]

    public init(limitNames: [String]) {
        var limits: [String: PerLimit] = [:]
        var ordered: [(name: String, counters: PerLimit)] = []
        for name in limitNames where limits[name] == nil {
            let counters = PerLimit()
            limits[name] = counters
            ordered.append((name, counters))
        }
        self.limits = limits
        self.ordered = ordered
    }

    private func counters(_ name: String) -> PerLimit? {
        guard ordered.count <= 16 else { return limits[name] }
        for entry in ordered where entry.name == name { return entry.counters }
        return nil
    }

    package func record(_ decision: RateLimitDecision) {
        let allowed = decision.allowed
        for index in decision.checks.indices {
            let definition = decision.checks[index].definition
            guard let counters = counters(definition.name) else { continue }
            if decision.outcomes[index].allowed {
                if allowed { counters.allowed.wrappingIncrement(ordering: .relaxed) }
            } else if definition.mode == .shadow {
                counters.shadowRejected.wrappingIncrement(ordering: .relaxed)
            } else {
                counters.rejected.wrappingIncrement(ordering: .relaxed)
            }
        }
    }
}
