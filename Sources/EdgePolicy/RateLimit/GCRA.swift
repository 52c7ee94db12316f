/// The generic cell rate algorithm (a token bucket kept as one timestamp, the "theoretical arrival
/// time"), in microseconds. Pure; ``RateLimitScript`` runs the same arithmetic in Lua inside Redis.
///
/// The bucket holds `burst` requests and refills one every `emissionInterval`. A request is allowed
/// when, after adding its interval, the TAT is at most `burst` intervals ahead of now. There are no
/// window edges: at any moment at most `burst` requests plus the refill since pass.
public struct GCRA: Sendable, Hashable {
    public var emissionInterval: Int64
    public var burst: Int64

    public init(emissionInterval: Int64, burst: Int64) {
        self.emissionInterval = max(1, emissionInterval)
        self.burst = max(1, burst)
    }

    /// What a request arriving `now` gets, given the stored TAT (`nil`: a full bucket). On
    /// `allowed`, store `newTAT` (it may be forgotten after `newTAT - now`); otherwise store nothing.
    public func decide(storedTAT: Int64?, now: Int64) -> (outcome: RateLimitOutcome, newTAT: Int64) {
        let tat = max(storedTAT ?? now, now)
        let newTAT = tat + emissionInterval
        let capacity = emissionInterval * burst
        let ahead = newTAT - now
        if ahead > capacity {
            let retry = ahead - capacity
            return (RateLimitOutcome(allowed: false, remaining: 0, resetAfter: retry, retryAfter: retry), tat)
        }
        let remaining = (capacity - ahead) / emissionInterval
        // With units left, the quota "resets" when the bucket is full again; with none left, when the next unit is.
        let reset = remaining > 0 ? ahead : ahead - capacity + emissionInterval
        return (RateLimitOutcome(allowed: true, remaining: Int(remaining), resetAfter: reset, retryAfter: 0), newTAT)
    }
}
