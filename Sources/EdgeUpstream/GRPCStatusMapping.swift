import NIOHTTP2
import EdgeCore

/// The one place where transport-level outcomes become gRPC status codes.
package enum GRPCStatusMapping {
    /// gRPC's HTTP-to-gRPC table (doc/http-grpc-status-mapping.md), used when a response
    /// has a non-200 `:status` or lacks `grpc-status`.
    package static func code(forHTTPStatus status: Int) -> GRPCStatusCode {
        switch status {
        case 400: return .internal
        case 401: return .unauthenticated
        case 403: return .permissionDenied
        case 404: return .unimplemented
        case 429, 502, 503, 504: return .unavailable
        default: return .unknown
        }
    }

    /// RST_STREAM / GOAWAY error codes, as in gRPC's PROTOCOL-HTTP2.md.
    package static func code(forHTTP2Error error: HTTP2ErrorCode) -> GRPCStatusCode {
        switch error {
        case .refusedStream: return .unavailable
        case .cancel: return .cancelled
        case .enhanceYourCalm: return .resourceExhausted
        case .inadequateSecurity: return .permissionDenied
        default: return .internal
        }
    }

    /// `grpc-status` header value; anything that is not a known code is UNKNOWN.
    package static func code(forGRPCStatusValue value: String) -> GRPCStatusCode {
        guard let raw = Int(value), let code = GRPCStatusCode(rawValue: raw) else { return .unknown }
        return code
    }
}
