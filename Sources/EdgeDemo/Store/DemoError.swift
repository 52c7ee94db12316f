import GRPCCore
import GRPCProtobuf

/// The bookstore's errors: each one a `google.rpc.Status` (code, message and typed details),
/// which grpc-swift sends as `grpc-status`, `grpc-message` and `grpc-status-details-bin`.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
enum DemoError {
    /// The `ErrorInfo.domain` of every bookstore error.
    static let domain = "bookstore.demo.edge"

    /// INVALID_ARGUMENT with a BadRequest listing every violation and an ErrorInfo.
    static func invalidArgument(
        _ violations: [ErrorDetails.BadRequest.FieldViolation],
        reason: String = "INVALID_ARGUMENT"
    ) -> GoogleRPCStatus {
        let summary = violations.map { "\($0.field): \($0.violationDescription)" }.joined(separator: "; ")
        return GoogleRPCStatus(
            code: .invalidArgument,
            message: "invalid request: \(summary)",
            details: [
                .badRequest(violations: violations),
                .errorInfo(reason: reason, domain: domain, metadata: ["violations": String(violations.count)]),
            ]
        )
    }

    /// INVALID_ARGUMENT for one field.
    static func invalidField(_ field: String, _ description: String) -> GoogleRPCStatus {
        invalidArgument([.init(field: field, description: description)])
    }

    /// NOT_FOUND with a ResourceInfo naming the missing resource.
    static func notFound(type: String, name: String) -> GoogleRPCStatus {
        GoogleRPCStatus(
            code: .notFound,
            message: "\(name) not found",
            details: [.resourceInfo(type: type, name: name, errorDescription: "no such \(type)")]
        )
    }

    /// ALREADY_EXISTS with a ResourceInfo naming the existing resource.
    static func alreadyExists(type: String, name: String, description: String) -> GoogleRPCStatus {
        GoogleRPCStatus(
            code: .alreadyExists,
            message: description,
            details: [.resourceInfo(type: type, name: name, errorDescription: description)]
        )
    }

    /// FAILED_PRECONDITION with one PreconditionFailure violation.
    static func failedPrecondition(type: String, subject: String, description: String) -> GoogleRPCStatus {
        GoogleRPCStatus(
            code: .failedPrecondition,
            message: "\(subject): \(description)",
            details: [.preconditionFailure(violations: [.init(type: type, subject: subject, description: description)])]
        )
    }

    static let shelfType = "demo.bookstore.v1.Shelf"
    static let bookType = "demo.bookstore.v1.Book"
}
