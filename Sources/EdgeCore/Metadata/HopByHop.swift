/// Header names that describe one HTTP/1.1 connection and never cross the edge,
/// plus those the edge sets itself or that mean something else to gRPC: the one
/// list of reserved header names, for the client's request (``isReserved(_:)``),
/// the upstream request (``isReservedUpstream(_:)``) and the upstream's response
/// (``isReservedInResponse(_:)``).
package enum HopByHop {
    package static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
        "upgrade", "proxy-authorization", "proxy-authenticate", "host", "content-length",
        "content-type", "expect", "http2-settings",
    ]

    /// Names reserved by gRPC or HTTP/2 that a client may not set through `Grpc-Metadata-`.
    package static func isReserved(_ lowercasedName: String) -> Bool {
        lowercasedName.hasPrefix("grpc-") || lowercasedName.hasPrefix(":") || names.contains(lowercasedName)
            || lowercasedName == "user-agent" || lowercasedName == "x-request-id"
            || lowercasedName.hasPrefix("x-forwarded-")
    }

    /// gRPC's own request headers, which the edge writes itself (`grpc-timeout` from the deadline).
    package static let grpcRequestNames: Set<String> = ["grpc-timeout", "grpc-encoding", "grpc-accept-encoding"]
    /// gRPC's own response headers and trailers, which the edge reads itself (status, details, encoding).
    package static let grpcResponseNames: Set<String> = [
        "grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding",
    ]

    /// Names never copied from metadata into an upstream gRPC request: pseudo-headers,
    /// connection-specific names (HTTP/2 forbids them) and what the edge sets itself.
    package static func isReservedUpstream(_ name: String) -> Bool {
        name.hasPrefix(":") || names.contains(name) || grpcRequestNames.contains(name)
    }

    /// Names of an upstream response never passed on as response metadata.
    package static func isReservedInResponse(_ name: String) -> Bool {
        name.hasPrefix(":") || names.contains(name) || grpcResponseNames.contains(name)
    }
}
