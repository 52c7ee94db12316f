/// The verdict on a request subject to several limits: it passes only if every enforcing limit
/// passes; shadow limits are evaluated and reported but never reject.
public struct RateLimitDecision: Sendable, Hashable {
    public var checks: [RateLimitCheck]
    public var outcomes: [RateLimitOutcome]
    /// Set when the verdict came from the local fallback because Redis was away.
    public var degraded: Bool

    public init(checks: [RateLimitCheck], outcomes: [RateLimitOutcome], degraded: Bool = false) {
        precondition(checks.count == outcomes.count)
        self.checks = checks
        self.outcomes = outcomes
        self.degraded = degraded
    }

    public static let empty = RateLimitDecision(checks: [], outcomes: [])

    public var allowed: Bool {
        // By index: a loop over `zip` copies each check (its strings and arrays retained) per request.
        for index in checks.indices where !outcomes[index].allowed && checks[index].definition.mode == .enforce { return false }
        return true
    }

    /// Indices of the enforcing limits that rejected the request.
    public var rejectedBy: [Int] {
        checks.indices.filter { checks[$0].definition.mode == .enforce && !outcomes[$0].allowed }
    }

    /// Indices of the shadow limits that would have rejected it.
    public var shadowRejectedBy: [Int] {
        checks.indices.filter { checks[$0].definition.mode == .shadow && !outcomes[$0].allowed }
    }

    /// Until every rejecting limit would allow the request (microseconds).
    public var retryAfter: Int64 { rejectedBy.map { outcomes[$0].retryAfter }.max() ?? 0 }

    /// Whether a limit's new state is written: only when the request passes, and only for the
    /// limits that allowed it (a rejected request consumes nothing from any limit).
    public func commits(_ index: Int) -> Bool { allowed && outcomes[index].allowed }

    /// Both decisions' limits, in order (local then global).
    public func merged(with other: RateLimitDecision) -> RateLimitDecision {
        RateLimitDecision(checks: checks + other.checks, outcomes: outcomes + other.outcomes, degraded: degraded || other.degraded)
    }
}
