import EdgeConfig

extension RateLimitDefinition {
    /// The GCRA parameters of a rolling limit; `nil` for a calendar quota.
    public var gcra: GCRA? {
        rate.emissionIntervalMicroseconds.map { GCRA(emissionInterval: $0, burst: Int64(burst)) }
    }
}
