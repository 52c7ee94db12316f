import EdgeCore

extension GRPCStatusCode {
    /// `UNAVAILABLE`, `unavailable`, `14`.
    package init?(configName: String) {
        if let number = Int(configName) {
            self.init(rawValue: number)
            return
        }
        guard let code = Self.allCases.first(where: { $0.name == configName.uppercased() }) else { return nil }
        self = code
    }

    /// The canonical name (`OK`, `NOT_FOUND`), as in metrics labels, logs and the configuration.
    public var name: String {
        switch self {
        case .ok: return "OK"
        case .cancelled: return "CANCELLED"
        case .unknown: return "UNKNOWN"
        case .invalidArgument: return "INVALID_ARGUMENT"
        case .deadlineExceeded: return "DEADLINE_EXCEEDED"
        case .notFound: return "NOT_FOUND"
        case .alreadyExists: return "ALREADY_EXISTS"
        case .permissionDenied: return "PERMISSION_DENIED"
        case .resourceExhausted: return "RESOURCE_EXHAUSTED"
        case .failedPrecondition: return "FAILED_PRECONDITION"
        case .aborted: return "ABORTED"
        case .outOfRange: return "OUT_OF_RANGE"
        case .unimplemented: return "UNIMPLEMENTED"
        case .internal: return "INTERNAL"
        case .unavailable: return "UNAVAILABLE"
        case .dataLoss: return "DATA_LOSS"
        case .unauthenticated: return "UNAUTHENTICATED"
        }
    }
}
