/// Which request headers become gRPC metadata, beyond the built-in ones
/// (`Authorization`, `Grpc-Metadata-*`).
public struct MetadataPolicy: Sendable {
    /// Lower-case header names forwarded unchanged (from `metadata.forward_headers`).
    public var forwardedHeaders: Set<String>
    /// The scheme the listener serves, for `x-forwarded-proto`.
    public var scheme: String

    public init(forwardedHeaders: [String] = [], scheme: String = "http") {
        self.forwardedHeaders = Set(forwardedHeaders.map { $0.lowercased() })
        self.scheme = scheme
    }
}
