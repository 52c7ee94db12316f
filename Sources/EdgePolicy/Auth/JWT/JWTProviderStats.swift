/// A provider's fetch history and key set, for metrics, logs and the admin API.
public struct JWTProviderStats: Sendable, Equatable {
    /// Reads or GETs of the key set (a file poll that finds it unchanged is not one).
    public var fetchAttempts = 0
    public var fetchSuccesses = 0
    public var fetchFailures = 0
    /// Keys usable now, and keys of the last good set that were skipped.
    public var keys = 0
    public var skippedKeys = 0
    /// Requests answered 503 because no keys could be had.
    public var keysUnavailable = 0
    public var lastError: String?
}
