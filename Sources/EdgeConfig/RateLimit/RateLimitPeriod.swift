/// The period of a rate: `s`, `m`, `h` are rolling (GCRA, no window edges); `d` and `month` are
/// calendar quotas that reset at midnight UTC and on the first of the month UTC.
public enum RateLimitPeriod: String, Sendable, Hashable, CaseIterable {
    case second = "s"
    case minute = "m"
    case hour = "h"
    case day = "d"
    case month

    /// The length of a rolling period; `nil` for calendar quotas.
    public var rollingMicroseconds: Int64? {
        switch self {
        case .second: return 1_000_000
        case .minute: return 60_000_000
        case .hour: return 3_600_000_000
        case .day, .month: return nil
        }
    }

    public var isCalendar: Bool { rollingMicroseconds == nil }

    /// The window in seconds named in `RateLimit-Policy` (`w`); months count as 30 days there.
    public var nominalSeconds: Int64 {
        switch self {
        case .second: return 1
        case .minute: return 60
        case .hour: return 3600
        case .day: return 86_400
        case .month: return 2_592_000
        }
    }
}
