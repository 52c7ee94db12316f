/// Redis could not decide a request's global limits and the failure mode is `closed`.
public struct RateLimitUnavailable: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "rate limit store unavailable: \(reason)" }
}
