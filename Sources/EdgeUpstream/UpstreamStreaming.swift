import NIOCore
import EdgeCore

/// The seam for streaming gRPC calls (server, client and bidirectional streaming),
/// beside the unary ``UpstreamCalling``.
///
/// A call runs on the event loop of the downstream connection that opened it:
/// every method of ``UpstreamStreamControl`` must be called on that loop and every
/// ``UpstreamStreamObserver`` callback arrives on it. There are no retries: a
/// stream may have been partly consumed.
///
/// Backpressure, both ways:
/// - responses: the HTTP side calls ``UpstreamStreamControl/pauseReading()`` when
///   its client cannot take more (its channel is not writable) and
///   ``UpstreamStreamControl/resumeReading()`` when it can; while paused the call
///   stops reading from its HTTP/2 stream, so flow control slows the backend.
///   No message arrives between a pause and the next resume, however much the
///   call already received.
/// - requests: ``UpstreamStreamControl/send(_:)`` queues a message;
///   ``UpstreamStreamControl/isWritable`` turns false while the HTTP/2 stream's
///   flow-control window is exhausted, and
///   ``UpstreamStreamObserver/upstreamWritabilityChanged(_:)`` tells when it changes,
///   so the HTTP side can stop reading its client's body meanwhile.
public protocol UpstreamStreaming: Sendable {
    /// Opens a call; the request headers go out at once. The observer is held
    /// strongly until ``UpstreamStreamObserver/upstreamFinished(_:)`` has been called.
    func openStream(
        _ head: UpstreamStreamHead, policy: CallPolicy, on eventLoop: any EventLoop,
        observer: any UpstreamStreamObserver
    ) -> any UpstreamStreamControl
}

/// What a streaming call needs before its first message.
public struct UpstreamStreamHead: Sendable {
    /// `/pkg.Service/Method`
    public var path: String
    /// The fully qualified service name (`pkg.Service`), which picks the cluster.
    public var service: String
    /// Lower-case names; binary values under names ending in `-bin`, base64-encoded.
    public var metadata: [(name: String, value: String)]
    /// The whole call's deadline (sent as `grpc-timeout`); expiry ends it with DEADLINE_EXCEEDED.
    public var deadline: NIODeadline
    /// Sees the call's one attempt (traced calls only; streams are not retried).
    public var attemptObserver: (any UpstreamAttemptObserver)?

    public init(
        path: String, service: String, metadata: [(name: String, value: String)], deadline: NIODeadline,
        attemptObserver: (any UpstreamAttemptObserver)? = nil
    ) {
        self.path = path
        self.service = service
        self.metadata = metadata
        self.deadline = deadline
        self.attemptObserver = attemptObserver
    }
}

/// The HTTP side's end of a streaming call. Confined to the call's event loop.
public protocol UpstreamStreamControl: AnyObject {
    /// Queues one request message (without the 5-byte frame header) and flushes it.
    /// Ignored once sending finished or the call ended.
    func send(_ message: ByteBuffer)
    /// Half-closes the request side (END_STREAM). Idempotent.
    func finishSending()
    /// Whether the HTTP/2 stream can take more request data without buffering.
    var isWritable: Bool { get }
    /// Stops reading response frames from the backend (the client is slow).
    func pauseReading()
    /// Reads response frames again.
    func resumeReading()
    /// Abandons the call (client went away): resets the stream with CANCEL.
    /// The observer gets no further callbacks.
    func cancel()
}

/// Receives a streaming call's events on its event loop, in this order:
/// `upstreamReceivedHeaders` at most once, `upstreamReceivedMessage` zero or more
/// times, then `upstreamFinished` exactly once (unless the call was cancelled).
/// `upstreamWritabilityChanged` may come at any time before the end.
public protocol UpstreamStreamObserver: AnyObject {
    /// Response header metadata (pseudo-headers and reserved gRPC headers removed).
    func upstreamReceivedHeaders(_ headers: [(name: String, value: String)])
    /// One response message, without its frame header.
    func upstreamReceivedMessage(_ message: ByteBuffer)
    /// The call's end: OK or an error. Transport failures, a deadline, a message over
    /// the size limit or a broken frame all arrive here as gRPC statuses.
    func upstreamFinished(_ end: UpstreamStreamEnd)
    /// The request side's writability changed (see ``UpstreamStreamControl/isWritable``).
    func upstreamWritabilityChanged(_ isWritable: Bool)
}

/// How a streaming call ended.
public struct UpstreamStreamEnd: Sendable {
    public var status: GRPCStatus
    /// Header metadata, when the call ended before any was delivered (trailers-only answer).
    public var headers: [(name: String, value: String)]
    /// Trailer metadata (`grpc-status`, `grpc-message`, `grpc-status-details-bin` removed).
    public var trailers: [(name: String, value: String)]
    /// Response messages delivered before the end.
    public var messagesReceived: Int
    /// The cluster and time of the call (`nil` when no cluster took it).
    public var summary: UpstreamCallSummary?

    public init(status: GRPCStatus, headers: [(name: String, value: String)] = [], trailers: [(name: String, value: String)] = [], messagesReceived: Int = 0) {
        self.status = status
        self.headers = headers
        self.trailers = trailers
        self.messagesReceived = messagesReceived
    }
}
