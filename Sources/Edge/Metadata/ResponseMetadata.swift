import NIOHTTP1

/// Puts a backend's metadata on the HTTP response: header metadata as
/// `Grpc-Metadata-<name>`, trailers as `Grpc-Trailer-<name>` (binary values
/// stay base64, as the upstream client hands them over).
public enum ResponseMetadata {
    public static func apply(headers: [(name: String, value: String)], trailers: [(name: String, value: String)], to http: inout HTTPHeaders) {
        for (name, value) in headers where isSafe(name: name, value: value) {
            http.add(name: "grpc-metadata-" + name, value: value)
        }
        for (name, value) in trailers where isSafe(name: name, value: value) {
            http.add(name: "grpc-trailer-" + name, value: value)
        }
    }

    /// A value with CR, LF or NUL would split the response; such metadata is dropped.
    private static func isSafe(name: String, value: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(":")
            && !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
            && !name.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: ":") || $0 >= 0x7F })
    }
}
