/// Whether a limit rejects.
public enum RateLimitMode: String, Sendable, Hashable {
    case enforce
    /// Evaluated and counted, never rejects (for rolling a limit out).
    case shadow
}
