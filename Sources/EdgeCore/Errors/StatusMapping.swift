import NIOHTTP1

/// The one table that turns a gRPC status code into an HTTP status.
///
/// Google's mapping (`google/rpc/code.proto`, the same one grpc-gateway and
/// Envoy's transcoder use). Nothing else in the edge picks an HTTP status for
/// a gRPC code.
public enum StatusMapping {
    public static func httpStatus(for code: GRPCStatusCode) -> HTTPResponseStatus {
        switch code {
        case .ok: return .ok
        case .cancelled: return .custom(code: 499, reasonPhrase: "Client Closed Request")
        case .unknown: return .internalServerError
        case .invalidArgument: return .badRequest
        case .deadlineExceeded: return .gatewayTimeout
        case .notFound: return .notFound
        case .alreadyExists: return .conflict
        case .permissionDenied: return .forbidden
        case .resourceExhausted: return .tooManyRequests
        case .failedPrecondition: return .badRequest
        case .aborted: return .conflict
        case .outOfRange: return .badRequest
        case .unimplemented: return .notImplemented
        case .internal: return .internalServerError
        case .unavailable: return .serviceUnavailable
        case .dataLoss: return .internalServerError
        case .unauthenticated: return .unauthorized
        }
    }
}
