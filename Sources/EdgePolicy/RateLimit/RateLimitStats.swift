import Atomics

/// Counters of the Redis store, for the metrics: calls, errors, latency, time in failure mode.
/// Relaxed atomics: no lock per request. (Decisions per limit are counted from each exchange's
/// ``PolicyExchange/rateLimitDecisions`` by the request metrics, once per request.)
public final class RateLimitStats: Sendable {
    public let redisCalls = ManagedAtomic<Int>(0)
    public let redisErrors = ManagedAtomic<Int>(0)
    /// Sum of Redis round-trip times, microseconds (divide by `redisCalls` for the mean).
    public let redisLatencyMicros = ManagedAtomic<Int>(0)
    /// Decisions taken in failure mode (fallback or 503) because Redis was away.
    public let failureModeDecisions = ManagedAtomic<Int>(0)
    /// Total time the per-loop breakers spent open, microseconds.
    public let failureModeMicros = ManagedAtomic<Int>(0)

    public init() {}
}
