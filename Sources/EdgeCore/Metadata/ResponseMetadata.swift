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

    /// A value with CR, LF or NUL would split the response, a name that is not an
    /// HTTP token is invalid: such metadata is dropped. (No header validator runs
    /// after this; these are the only backend-controlled header names and values.)
    private static func isSafe(name: String, value: String) -> Bool {
        !name.isEmpty
            && !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
            && name.utf8.allSatisfy(isTokenCharacter)
    }

    /// RFC 9110 `tchar`.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
