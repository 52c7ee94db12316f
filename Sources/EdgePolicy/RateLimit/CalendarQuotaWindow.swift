import EdgeConfig

/// The UTC calendar day or month holding an instant: quotas per day and month count within it.
/// Pure integer calendar arithmetic (days from civil, H. Hinnant), the same in Lua in ``RateLimitScript``.
public struct CalendarQuotaWindow: Sendable, Hashable {
    /// Microseconds since the Unix epoch.
    public var start: Int64
    public var end: Int64

    public init(containing micros: Int64, period: RateLimitPeriod) {
        let day: Int64 = 86_400_000_000
        let days = micros >= 0 ? micros / day : (micros - day + 1) / day
        switch period {
        case .month:
            let (year, month, _) = Self.civil(fromDays: days)
            start = Self.days(year: year, month: month, day: 1) * day
            let next = month == 12 ? (year + 1, Int64(1)) : (year, month + 1)
            end = Self.days(year: next.0, month: next.1, day: 1) * day
        default:
            start = days * day
            end = start + day
        }
    }

    public func outcome(countBefore: Int, limit: Int, now: Int64) -> RateLimitOutcome {
        let untilEnd = max(1, end - now)
        guard countBefore < limit else { return RateLimitOutcome(allowed: false, remaining: 0, resetAfter: untilEnd, retryAfter: untilEnd) }
        return RateLimitOutcome(allowed: true, remaining: limit - countBefore - 1, resetAfter: untilEnd, retryAfter: 0)
    }

    package static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    package static func days(year y0: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
