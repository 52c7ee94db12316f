/// One limit's answer for one request. Times in microseconds.
public struct RateLimitOutcome: Sendable, Hashable {
    public var allowed: Bool
    /// Requests left right after this one (0 when rejected).
    public var remaining: Int
    /// Until the quota is back (`t` of the `RateLimit` field): the full bucket while units are left,
    /// the next unit when none is.
    public var resetAfter: Int64
    /// Until a rejected request would be allowed (0 when allowed).
    public var retryAfter: Int64

    public init(allowed: Bool, remaining: Int, resetAfter: Int64, retryAfter: Int64) {
        self.allowed = allowed
        self.remaining = remaining
        self.resetAfter = resetAfter
        self.retryAfter = retryAfter
    }
}
