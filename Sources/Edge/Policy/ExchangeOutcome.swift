import NIOCore

/// How an exchange ended, for ``ExchangeObserver``s (metrics, access logs, traces).
public struct ExchangeOutcome: Sendable {
    /// The HTTP status of the response (`101` for an accepted WebSocket, once its stream ends).
    public var status: Int
    /// The gRPC status when the backend answered (or the edge refused with one).
    public var grpcCode: GRPCStatusCode?
    /// The policy that refused or answered the request itself, if one did.
    public var decidedBy: String?
    public var started: NIODeadline
    public var finished: NIODeadline

    public init(status: Int, grpcCode: GRPCStatusCode? = nil, decidedBy: String? = nil, started: NIODeadline, finished: NIODeadline = .now()) {
        self.status = status
        self.grpcCode = grpcCode
        self.decidedBy = decidedBy
        self.started = started
        self.finished = finished
    }

    public var duration: TimeAmount { finished - started }
}
