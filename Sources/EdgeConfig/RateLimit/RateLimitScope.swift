/// Where a limit's counters live.
public enum RateLimitScope: String, Sendable, Hashable {
    /// Shared by every instance, in Redis.
    case global
    /// Per instance, in memory.
    case local
}
