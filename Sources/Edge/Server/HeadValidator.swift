import NIOHTTP1
import EdgeConfig
import EdgeCore

/// Checks a decoded request head before anything else looks at it: size limits
/// and the request-smuggling defences, and works out whether a body follows.
///
/// NIO's decoder (llhttp) already refuses `Content-Length` together with
/// `Transfer-Encoding` and repeated `Content-Length` headers with a parse error;
/// these checks hold even where it is lenient (a comma-joined `Content-Length`
/// list, a `Transfer-Encoding` other than exactly `chunked`).
public enum HeadValidator {
    public struct Framing: Sendable, Equatable {
        public var hasBody: Bool
        public var contentLength: Int?
    }

    public static func validate(_ head: HTTPRequestHead, limits: HTTPLimits) -> Result<Framing, EdgeError> {
        let urlBytes = head.uri.utf8.count
        if urlBytes > limits.maxURLBytes {
            return .failure(.urlTooLong(length: urlBytes, limit: limits.maxURLBytes))
        }
        var headerBytes = 0
        for (name, value) in head.headers {
            headerBytes += name.utf8.count + value.utf8.count + 4
        }
        if headerBytes > limits.maxHeaderBytes {
            return .failure(.headersTooLarge(limit: limits.maxHeaderBytes))
        }

        let lengths = head.headers[canonicalForm: "content-length"]
        let encodings = head.headers[canonicalForm: "transfer-encoding"]
        if !encodings.isEmpty {
            guard lengths.isEmpty else {
                return .failure(.badRequest("Content-Length together with Transfer-Encoding is not allowed", close: true))
            }
            guard encodings.count == 1, encodings[0].lowercased() == "chunked" else {
                return .failure(.badRequest("unsupported Transfer-Encoding (only chunked is accepted)", close: true))
            }
            return .success(Framing(hasBody: true, contentLength: nil))
        }
        guard let first = lengths.first else {
            return .success(Framing(hasBody: false, contentLength: nil))
        }
        guard lengths.allSatisfy({ $0 == first }) else {
            return .failure(.badRequest("conflicting Content-Length values", close: true))
        }
        guard let length = Int(first), length >= 0, first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            return .failure(.badRequest("invalid Content-Length", close: true))
        }
        return .success(Framing(hasBody: length > 0, contentLength: length))
    }
}
