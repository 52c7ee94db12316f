import GRPCCore
import GRPCProtobuf

/// The errors of the Fail and Flaky debug methods: any status code, optionally with every
/// kind of detail the gateway has to render.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
enum DemoFailure {
    /// The canonical names of the status codes, indexed by code.
    static let codeNames = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ]

    /// The grpc-swift code for a google.rpc.Code; nil for OK. Unknown numbers become UNKNOWN.
    static func rpcCode(_ code: Google_Rpc_Code) -> RPCError.Code? {
        let raw = code.rawValue
        if raw == 0 { return nil }
        guard let status = Status.Code(rawValue: raw) else { return .unknown }
        return RPCError.Code(status) ?? .unknown
    }

    static func name(of code: Google_Rpc_Code) -> String {
        codeNames.indices.contains(code.rawValue) ? codeNames[code.rawValue] : "CODE_\(code.rawValue)"
    }

    /// Fail's error: `code`, `message` (default "demo failure: <NAME>") and, with `details`,
    /// ErrorInfo, RetryInfo (1.5 s), BadRequest and LocalizedMessage.
    static func failure(_ request: Demo_Bookstore_V1_FailRequest, code: RPCError.Code) -> GoogleRPCStatus {
        let name = name(of: request.code)
        let message = request.message.isEmpty ? "demo failure: \(name)" : request.message
        var details: [ErrorDetails] = []
        if request.details {
            details = [
                .errorInfo(
                    reason: name,
                    domain: DemoError.domain,
                    metadata: ["code": String(request.code.rawValue), "method": "Fail"]
                ),
                .retryInfo(delay: .milliseconds(1500)),
                .badRequest(violations: [.init(field: "code", description: "requested failure \(name)")]),
                .localizedMessage(locale: "en-US", message: message),
            ]
        }
        return GoogleRPCStatus(code: code, message: message, details: details)
    }

    /// Flaky's error for a failing attempt, with an ErrorInfo counting attempts.
    static func flaky(_ request: Demo_Bookstore_V1_FlakyRequest, attempt: Int32, failures: Int32) -> GoogleRPCStatus {
        let code = rpcCode(request.code) ?? .unavailable
        return GoogleRPCStatus(
            code: code,
            message: "flaky '\(request.key)': attempt \(attempt) of \(failures) failing attempts",
            details: [
                .errorInfo(
                    reason: "FLAKY",
                    domain: DemoError.domain,
                    metadata: ["key": request.key, "attempt": String(attempt), "failures": String(failures)]
                )
            ]
        )
    }
}
