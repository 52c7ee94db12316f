import EdgeRedis
import EdgeConfig

/// The bucket a request falls into for one limit: the limit's name and the values of its key parts.
///
/// `value` is the parts alone (`client_ip=203.0.113.7`): limits with the same key parts share it, and
/// it is the Redis Cluster hash tag, so that a request's limits on the same parts (per second and per
/// day, say) land in one slot and stay one script call. Long or unprintable values are replaced by
/// their SHA-1, so keys stay short whatever a client sends.
public struct RateLimitKey: Sendable, Hashable {
    public var limit: String
    public var value: String

    public init(limit: String, value: String) {
        self.limit = limit
        self.value = value
    }

    /// `nil` when the request lacks a part (no consumer, no such header): the limit does not apply to it.
    public init?(definition: RateLimitDefinition, source: some RateLimitKeySource) {
        var value = ""
        for part in definition.key {
            let text: String?
            switch part {
            case .clientIP: text = source.clientIP
            case .consumer: text = source.consumer
            case .claim(let name): text = source.claim(name)
            case .header(let name): text = source.header(name)
            case .route: text = source.route
            case .method: text = source.method
            }
            guard let text else { return nil }
            // Appended piece by piece into one string (not `a + "=" + b`: a string per `+`).
            if value.isEmpty { value.reserveCapacity(24 + text.utf8.count) } else { value.append("|") }
            value.append(part.description)
            value.append("=")
            value.append(Self.safe(text))
        }
        self.init(limit: definition.name, value: value)
    }

    /// The Redis key: `edge:rl:{VALUE}:NAME`.
    public var redisKey: String { "edge:rl:{" + value + "}:" + limit }

    /// ``redisKey`` as the next argument of `command`, written without building the `String`.
    public func appendRedisKey(to command: inout RedisCommand) {
        command.appendArgument(length: 11 + value.utf8.count + limit.utf8.count) { buffer in
            buffer.writeStaticString("edge:rl:{")
            buffer.writeString(value)
            buffer.writeStaticString("}:")
            buffer.writeString(limit)
        }
    }

    /// The key of the local tables.
    package var localKey: String { limit + "\u{0}" + value }

    package static func safe(_ text: String) -> String {
        let plain = text.utf8.count <= 128 && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "{") && $0 != UInt8(ascii: "}") && $0 != UInt8(ascii: "|") }
        return plain ? text : "sha1:" + SHA1.hexDigest(text)
    }
}
