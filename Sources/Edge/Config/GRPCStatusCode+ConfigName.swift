extension GRPCStatusCode {
    /// `UNAVAILABLE`, `unavailable`, `14`.
    init?(configName: String) {
        if let number = Int(configName) {
            self.init(rawValue: number)
            return
        }
        let names: [String: GRPCStatusCode] = [
            "OK": .ok, "CANCELLED": .cancelled, "UNKNOWN": .unknown, "INVALID_ARGUMENT": .invalidArgument,
            "DEADLINE_EXCEEDED": .deadlineExceeded, "NOT_FOUND": .notFound, "ALREADY_EXISTS": .alreadyExists,
            "PERMISSION_DENIED": .permissionDenied, "RESOURCE_EXHAUSTED": .resourceExhausted,
            "FAILED_PRECONDITION": .failedPrecondition, "ABORTED": .aborted, "OUT_OF_RANGE": .outOfRange,
            "UNIMPLEMENTED": .unimplemented, "INTERNAL": .internal, "UNAVAILABLE": .unavailable,
            "DATA_LOSS": .dataLoss, "UNAUTHENTICATED": .unauthenticated,
        ]
        guard let code = names[configName.uppercased()] else { return nil }
        self = code
    }
}
