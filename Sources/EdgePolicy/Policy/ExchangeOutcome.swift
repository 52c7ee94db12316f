import NIOCore
import EdgeCore
import EdgeUpstream

/// How an exchange ended, for ``ExchangeObserver``s (metrics, access logs, traces).
public struct ExchangeOutcome: Sendable {
    /// The HTTP status of the response head that went out (`101` for an accepted WebSocket,
    /// once its session ends; `499` when the client went away before any answer).
    public var status: Int
    /// The gRPC status when the backend answered (or the edge refused with one). For a
    /// stream that failed after its head went out, the failure's code (the status stays 200).
    public var grpcCode: GRPCStatusCode?
    /// The policy that refused or answered the request itself, if one did.
    public var decidedBy: String?
    public var started: NIODeadline
    public var finished: NIODeadline
    /// The route's label (`GET /v1/{name=shelves/*}`), `unmatched`, or the edge's own page (`openapi`).
    public var label: String
    /// Request body bytes read, response body bytes written.
    public var bytesIn: Int = 0
    public var bytesOut: Int = 0
    /// The upstream call, when one was made.
    public var upstream: UpstreamCallSummary?
    /// Streamed exchanges (streaming routes and WebSocket sessions): messages each way.
    public var stream: StreamSummary?

    public init(
        status: Int, grpcCode: GRPCStatusCode? = nil, decidedBy: String? = nil, started: NIODeadline, finished: NIODeadline = .now(),
        label: String = "unmatched"
    ) {
        self.status = status
        self.grpcCode = grpcCode
        self.decidedBy = decidedBy
        self.started = started
        self.finished = finished
        self.label = label
    }

    public var duration: TimeAmount { finished - started }

    /// The status a client that closed its connection before the answer is recorded with (nginx's).
    public static let clientClosedStatus = 499

    /// An error by HTTP status or gRPC code: what "errors only" logging keeps.
    public var isError: Bool { status >= 400 || (grpcCode.map { $0 != .ok } ?? false) }
}

/// Messages each way of a streamed exchange.
public struct StreamSummary: Sendable, Equatable {
    /// Messages from the client (request stream elements, WebSocket messages).
    public var messagesIn: Int
    /// Messages to the client.
    public var messagesOut: Int

    public init(messagesIn: Int = 0, messagesOut: Int = 0) {
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
    }
}
