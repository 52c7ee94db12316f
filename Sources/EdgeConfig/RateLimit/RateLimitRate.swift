/// `10/s`: a number of requests per period.
public struct RateLimitRate: Sendable, Hashable, CustomStringConvertible {
    public var count: Int
    public var period: RateLimitPeriod

    public init(count: Int, period: RateLimitPeriod) {
        self.count = count
        self.period = period
    }

    /// `N/s`, `N/m`, `N/h`, `N/d`, `N/month` with 1 ≤ N ≤ 10⁹.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(parts[0]),
            (1...1_000_000_000).contains(count), let period = RateLimitPeriod(rawValue: String(parts[1]))
        else { return nil }
        self.init(count: count, period: period)
    }

    /// The time between two requests at this rate (GCRA's emission interval), for rolling periods.
    /// Rounded up, so the rate is never exceeded by rounding.
    public var emissionIntervalMicroseconds: Int64? {
        guard let period = period.rollingMicroseconds else { return nil }
        return (period + Int64(count) - 1) / Int64(count)
    }

    /// The same rate divided among `instances` (at least 1 per period).
    public func divided(by instances: Int) -> RateLimitRate {
        RateLimitRate(count: max(1, count / max(1, instances)), period: period)
    }

    public var description: String { "\(count)/\(period.rawValue)" }
}
