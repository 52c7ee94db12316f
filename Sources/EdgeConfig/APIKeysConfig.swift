import NIOCore

/// `auth.api_keys:` — API keys in a header or query parameter, checked against the SHA-256
/// hashes of a keys file (consumer name → lowercase hex digest, optionally with an expiry).
public struct APIKeysConfig: Sendable, Equatable {
    /// Lower-case request header carrying the key (default `x-api-key`); `nil` with `query` only.
    public var header: String?
    /// Query parameter carrying the key, if any.
    public var query: String?
    /// The keys file as configured (resolved path), watched for changes.
    public var keysFile: String
    /// The keys, as read from the file when the configuration was loaded.
    public var keys: [APIKeyEntry]
    /// Metadata name the consumer's name is sent to the backend as.
    public var consumerHeader: String

    public init(header: String? = "x-api-key", query: String? = nil, keysFile: String, keys: [APIKeyEntry] = [], consumerHeader: String = "x-consumer") {
        self.header = header
        self.query = query
        self.keysFile = keysFile
        self.keys = keys
        self.consumerHeader = consumerHeader
    }
}

/// One consumer's key, as its SHA-256 digest.
public struct APIKeyEntry: Sendable, Equatable {
    public var consumer: String
    /// 32 bytes.
    public var digest: [UInt8]
    /// Seconds since 1970 (UTC) after which the key is refused; `nil`: never expires.
    public var expires: Int64?

    public init(consumer: String, digest: [UInt8], expires: Int64? = nil) {
        self.consumer = consumer
        self.digest = digest
        self.expires = expires
    }
}
