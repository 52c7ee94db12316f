/// `rate_limit_options:` — settings of all limits that are not limits themselves.
public struct RateLimitOptions: Sendable, Equatable {
    /// Send `RateLimit-Policy` and `RateLimit` on responses of limited routes (`Retry-After` on 429 always).
    public var headers: Bool
    /// Buckets local limits keep in memory (least recently used forgotten first), per process.
    public var localMaxKeys: Int

    public init(headers: Bool = true, localMaxKeys: Int = 100_000) {
        self.headers = headers
        self.localMaxKeys = localMaxKeys
    }
}
