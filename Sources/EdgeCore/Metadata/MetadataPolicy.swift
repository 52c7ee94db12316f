/// Which request headers become gRPC metadata, beyond the built-in ones
/// (`Authorization`, `Grpc-Metadata-*`).
public struct MetadataPolicy: Sendable {
    /// Lower-case header names forwarded unchanged (from `metadata.forward_headers`).
    public var forwardedHeaders: Set<String>
    /// The scheme the listener serves, for `x-forwarded-proto`.
    public var scheme: String
    /// Lower-case metadata names only the edge's policies may set (claims, the API-key
    /// consumer) and credentials that stay at the edge (an API key, a token not forwarded):
    /// a client's copies are dropped in every spelling (`x-user-id`, `Grpc-Metadata-X-User-Id`),
    /// even when `forwardedHeaders` names them.
    public var stripped: Set<String>

    public init(forwardedHeaders: [String] = [], scheme: String = "http", stripped: Set<String> = []) {
        self.forwardedHeaders = Set(forwardedHeaders.map { $0.lowercased() })
        self.scheme = scheme
        self.stripped = Set(stripped.map { $0.lowercased() })
    }
}
