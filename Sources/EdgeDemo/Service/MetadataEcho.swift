import Foundation
import GRPCCore

/// EchoMetadata's reflection of the request metadata: every entry in the body; the
/// non-reserved ones back as response headers, and as trailers prefixed `trailer-`.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
enum MetadataEcho {
    /// Keys never sent back: HTTP/2 pseudo-headers, `grpc-*` and transport headers, which
    /// would change the meaning of the response if echoed.
    static func isReserved(_ key: String) -> Bool {
        key.hasPrefix(":") || key.hasPrefix("grpc-") || reservedKeys.contains(key)
    }

    private static let reservedKeys: Set<String> = [
        "content-type", "te", "user-agent", "content-length", "accept-encoding", "content-encoding",
        "connection", "host", "transfer-encoding", "keep-alive", "proxy-connection", "upgrade",
    ]

    static func entries(of metadata: Metadata) -> [Demo_Bookstore_V1_EchoMetadataResponse.Entry] {
        metadata.map { key, value in
            Demo_Bookstore_V1_EchoMetadataResponse.Entry.with {
                $0.key = key
                switch value {
                case .string(let string): $0.value = string
                case .binary(let bytes): $0.binaryValue = Data(bytes)
                }
            }
        }
    }

    /// The response headers: the request's non-reserved entries.
    static func headers(for metadata: Metadata) -> Metadata {
        var headers = Metadata()
        for (key, value) in metadata where !isReserved(key) {
            headers.add(key, value)
        }
        return headers
    }

    /// The trailers: the request's non-reserved entries as `trailer-<key>`, and `echo-count`.
    static func trailers(for metadata: Metadata) -> Metadata {
        var trailers = Metadata()
        for (key, value) in metadata where !isReserved(key) {
            trailers.add("trailer-" + key, value)
        }
        trailers.addString(String(metadata.count), forKey: "echo-count")
        return trailers
    }
}

@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
extension Metadata {
    fileprivate mutating func add(_ key: String, _ value: Metadata.Value) {
        switch value {
        case .string(let string): addString(string, forKey: key)
        case .binary(let bytes): addBinary(bytes, forKey: key)
        }
    }
}
