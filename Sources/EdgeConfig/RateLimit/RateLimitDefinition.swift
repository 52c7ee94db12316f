/// One entry of `rate_limits:`, validated.
///
/// The burst is the bucket's size: the most requests allowed at once (`rate: 20/m, burst: 20` lets
/// 20 through at once, then one every 3 s). Calendar quotas (`/d`, `/month`) have no burst of their own:
/// it is their count.
public struct RateLimitDefinition: Sendable, Hashable {
    public var name: String
    public var key: [RateLimitKeyPart]
    public var rate: RateLimitRate
    public var burst: Int
    public var scope: RateLimitScope
    public var mode: RateLimitMode

    public init(name: String, key: [RateLimitKeyPart], rate: RateLimitRate, burst: Int? = nil, scope: RateLimitScope = .global, mode: RateLimitMode = .enforce) {
        self.name = name
        self.key = key
        self.rate = rate
        self.burst = rate.period.isCalendar ? rate.count : (burst ?? rate.count)
        self.scope = scope
        self.mode = mode
    }

    /// The local stand-in while Redis is away: the same limit with the rate and burst divided by the instance count.
    public func fallback(instances: Int) -> RateLimitDefinition {
        var copy = self
        copy.rate = rate.divided(by: instances)
        copy.burst = rate.period.isCalendar ? copy.rate.count : max(1, burst / max(1, instances))
        copy.scope = .local
        return copy
    }
}
