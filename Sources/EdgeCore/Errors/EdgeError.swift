import NIOHTTP1
import Transcoder

/// Every way an HTTP request can fail, at the edge or at the backend.
///
/// One type for the whole HTTP layer: it carries the gRPC code and message that
/// go into the `google.rpc.Status` body, and the HTTP status. For backend
/// failures the HTTP status always comes from ``StatusMapping``; the edge's own
/// HTTP-level refusals (405, 413, 414, 415, 431, 408) name theirs explicitly.
public struct EdgeError: Error, Sendable, CustomStringConvertible {
    public var code: GRPCStatusCode
    public var message: String
    public var httpStatus: HTTPResponseStatus
    /// A serialized `google.rpc.Status` from the backend (`grpc-status-details-bin`).
    public var details: [UInt8]?
    /// Extra response headers (`Allow` on 405).
    public var headers: [(name: String, value: String)]
    /// The connection cannot be reused after this error (unread body, broken framing).
    public var closeConnection: Bool

    public init(
        code: GRPCStatusCode,
        message: String,
        httpStatus: HTTPResponseStatus? = nil,
        details: [UInt8]? = nil,
        headers: [(name: String, value: String)] = [],
        closeConnection: Bool = false
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus ?? StatusMapping.httpStatus(for: code)
        self.details = details
        self.headers = headers
        self.closeConnection = closeConnection
    }

    /// A backend's (or the upstream client's) status.
    public init(status: GRPCStatus) {
        self.init(code: status.code, message: status.message, details: status.details)
    }

    public var description: String { "\(httpStatus.code) \(code): \(message)" }
}

extension EdgeError {
    public static func routeNotFound(method: String, path: Substring) -> EdgeError {
        EdgeError(code: .notFound, message: "no route for \(method) \(path)")
    }

    public static func methodNotAllowed(method: String, path: Substring, allowed: [String]) -> EdgeError {
        EdgeError(
            code: .unimplemented, message: "method \(method) not allowed for \(path)",
            httpStatus: .methodNotAllowed, headers: [("allow", allowed.joined(separator: ", "))])
    }

    /// A path or query binding, or the body's JSON, did not convert.
    public static func transcoding(_ error: TranscodeError) -> EdgeError {
        EdgeError(code: .invalidArgument, message: error.description)
    }

    public static func badRequest(_ message: String, close: Bool = false) -> EdgeError {
        EdgeError(code: .invalidArgument, message: message, closeConnection: close)
    }

    public static func bodyTooLarge(limit: Int) -> EdgeError {
        EdgeError(
            code: .resourceExhausted, message: "request body exceeds the limit of \(limit) bytes",
            httpStatus: .payloadTooLarge, closeConnection: true)
    }

    public static func urlTooLong(length: Int, limit: Int) -> EdgeError {
        EdgeError(
            code: .invalidArgument, message: "request URL of \(length) bytes exceeds the limit of \(limit) bytes",
            httpStatus: .uriTooLong, closeConnection: true)
    }

    public static func headersTooLarge(limit: Int) -> EdgeError {
        EdgeError(
            code: .resourceExhausted, message: "request header block exceeds the limit of \(limit) bytes",
            httpStatus: .requestHeaderFieldsTooLarge, closeConnection: true)
    }

    public static func unsupportedMediaType(_ contentType: String?) -> EdgeError {
        let found = contentType.map { "'\($0)'" } ?? "none"
        return EdgeError(
            code: .invalidArgument,
            message: "request body must be JSON (Content-Type application/json or */*+json, charset utf-8); got \(found)",
            httpStatus: .unsupportedMediaType)
    }

    public static func headerReadTimeout() -> EdgeError {
        EdgeError(
            code: .deadlineExceeded, message: "request headers not received in time",
            httpStatus: .requestTimeout, closeConnection: true)
    }

    public static func bodyReadTimeout() -> EdgeError {
        EdgeError(
            code: .deadlineExceeded, message: "request body not received in time",
            httpStatus: .requestTimeout, closeConnection: true)
    }

    public static func expectationFailed(_ value: String) -> EdgeError {
        EdgeError(
            code: .invalidArgument, message: "unsupported Expect: \(value)",
            httpStatus: .expectationFailed, closeConnection: true)
    }
}
