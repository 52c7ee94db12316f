/// What global limits do while Redis is slow or away (`redis.failure_mode`).
public enum RateLimitFailureMode: String, Sendable, Hashable {
    /// Allow, limited by a local stand-in of each global limit at its rate divided by `redis.instances`.
    case open
    /// Refuse with 503 UNAVAILABLE.
    case closed
}
