/// A gRPC status as received (or made up by the edge for transport failures).
public struct GRPCStatus: Sendable, Equatable {
    public var code: GRPCStatusCode
    /// `grpc-message`, percent-decoded.
    public var message: String
    /// `grpc-status-details-bin`, base64-decoded: a serialized `google.rpc.Status`.
    public var details: [UInt8]?

    public init(code: GRPCStatusCode, message: String = "", details: [UInt8]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }
}

public enum GRPCStatusCode: Int, Sendable, CaseIterable {
    case ok = 0
    case cancelled = 1
    case unknown = 2
    case invalidArgument = 3
    case deadlineExceeded = 4
    case notFound = 5
    case alreadyExists = 6
    case permissionDenied = 7
    case resourceExhausted = 8
    case failedPrecondition = 9
    case aborted = 10
    case outOfRange = 11
    case unimplemented = 12
    case `internal` = 13
    case unavailable = 14
    case dataLoss = 15
    case unauthenticated = 16
}
