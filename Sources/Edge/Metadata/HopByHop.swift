/// Header names that describe one HTTP/1.1 connection and never cross the edge,
/// plus those the edge sets itself or that mean something else to gRPC.
enum HopByHop {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
        "upgrade", "proxy-authorization", "proxy-authenticate", "host", "content-length",
        "content-type", "expect", "http2-settings",
    ]

    /// Names reserved by gRPC or HTTP/2 that a client may not set through `Grpc-Metadata-`.
    static func isReserved(_ lowercasedName: String) -> Bool {
        lowercasedName.hasPrefix("grpc-") || lowercasedName.hasPrefix(":") || names.contains(lowercasedName)
            || lowercasedName == "user-agent" || lowercasedName == "x-request-id"
            || lowercasedName.hasPrefix("x-forwarded-")
    }
}
