import NIOCore
import EdgeConfig

/// Where limits keep their counters: the local tables and the Redis client. They outlive a
/// snapshot: a reload that leaves `redis:` and `rate_limit_options.local_max_keys` alone keeps them
/// (counters and connections survive it); each snapshot gets its own ``RateLimiter`` over them.
public final class RateLimitStores: Sendable {
    public let local: LocalRateLimiter
    public let global: GlobalRateLimiter?
    package let key: Key

    package struct Key: Equatable {
        package var redis: RateLimitRedisSettings?
        package var localMaxKeys: Int
    }

    package init(key: Key, group: EventLoopGroup) throws {
        self.key = key
        self.local = LocalRateLimiter(maxKeys: key.localMaxKeys)
        self.global = try key.redis.map { try GlobalRateLimiter(settings: $0, group: group, stats: RateLimitStats()) }
    }

    /// The stores for `config`: `previous` when it fits, new ones otherwise (`nil` without limits).
    public static func make(config: EdgeConfig, group: EventLoopGroup, previous: RateLimitStores?) throws -> RateLimitStores? {
        guard !config.rateLimits.isEmpty else { return nil }
        let key = Key(redis: config.rateLimits.contains { $0.scope == .global } ? config.redis : nil, localMaxKeys: config.rateLimitOptions.localMaxKeys)
        if let previous, previous.key == key { return previous }
        return try RateLimitStores(key: key, group: group)
    }

    /// The limiter of one snapshot: its options over these stores.
    public func limiter(for config: EdgeConfig) -> RateLimiter {
        RateLimiter(local: local, global: global, options: config.rateLimitOptions)
    }
}
