import EdgeConfig

/// One limit applied to one request: the definition and the bucket the request falls into.
public struct RateLimitCheck: Sendable, Hashable {
    public var definition: RateLimitDefinition
    public var key: RateLimitKey

    public init(definition: RateLimitDefinition, key: RateLimitKey) {
        self.definition = definition
        self.key = key
    }
}
