import NIOCore
import NIOHTTP2
import EdgeCore
import EdgeTLS

/// Runs the unary calls of one connection directly on its HTTP/2 frames, behind a
/// `NIOHTTP2Handler` without a stream multiplexer: a unary call is two frames out and a
/// few frames in, so a stream channel per call (pipeline, contexts, promises, close
/// events) cost more CPU than the call itself.
///
/// It allocates the client stream IDs, writes each call's HEADERS and DATA, routes
/// inbound frames to the call by stream ID, keeps within the server's
/// SETTINGS_MAX_CONCURRENT_STREAMS (calls wait in a queue), gives the inbound windows
/// back (NIO's handler does that only with a multiplexer), and, like
/// ``UpstreamConnectionHandler``, reports GOAWAY, PINGs, errors and the end of the
/// connection to the ``UpstreamConnection``. A call's slot on the connection is given
/// back when NIO reports its stream closed, so the concurrency count matches NIO's.
///
/// Confined to the connection's event loop (`@unchecked Sendable` only so NIO's
/// `@Sendable` initializer closures can capture it).
package final class UpstreamUnaryConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    package typealias InboundIn = HTTP2Frame
    package typealias OutboundOut = HTTP2Frame

    private let connection: UpstreamConnection
    private let connectionWindowSize: Int
    private let streamWindowSize: Int
    private var context: ChannelHandlerContext?
    /// Open streams (HEADERS written, not yet closed by NIO).
    private var streams: [HTTP2StreamID: UpstreamUnaryStream] = [:]
    /// Calls waiting for the server's SETTINGS or for a stream to free.
    private var queue = CircularBuffer<UpstreamUnaryStream>()
    private var nextStreamID = HTTP2StreamID(1)
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until it says otherwise).
    private var maxConcurrentStreams = Int.max
    /// No stream opens before the server's first SETTINGS: its limit is not known yet.
    private var settingsReceived = false
    /// GOAWAY received, or the connection is gone: no stream opens any more.
    private var closed = false
    /// Frames were written while reading; flushed at the end of the read.
    private var reading = false
    private var needsFlush = false
    /// A flush is due on the event loop (see ``flush()``).
    private var flushScheduled = false

    package init(connection: UpstreamConnection, connectionWindowSize: Int, streamWindowSize: Int, firstStreamID: HTTP2StreamID = 1) {
        self.connection = connection
        self.nextStreamID = firstStreamID
        self.connectionWindowSize = connectionWindowSize
        self.streamWindowSize = streamWindowSize
    }

    /// Streams open now and calls waiting for one (admin and tests).
    package var streamCounts: (open: Int, queued: Int) { (self.streams.count, self.queue.count) }

    // MARK: Calls

    /// Opens the call's stream, or queues it until the server allows one more.
    package func start(_ stream: UpstreamUnaryStream) {
        guard stream.isPending else {
            self.releaseSlot(of: stream)
            return
        }
        guard !self.closed, self.context != nil else {
            self.releaseSlot(of: stream)
            stream.complete(.failure(self.connection.abruptEnd(of: nil, resetCode: nil)))
            return
        }
        stream.handler = self
        if self.settingsReceived, self.streams.count < self.maxConcurrentStreams, self.queue.isEmpty {
            self.open(stream)
            self.flush()
        } else {
            self.queue.append(stream)
        }
    }

    /// Abandons a call (its completion was already dropped): resets its stream with CANCEL,
    /// or takes it out of the queue.
    package func cancel(_ stream: UpstreamUnaryStream) {
        guard let streamID = stream.streamID else {
            if let index = self.queue.firstIndex(where: { $0 === stream }) {
                self.queue.remove(at: index)
                self.releaseSlot(of: stream)
            }
            return
        }
        guard self.streams[streamID] === stream else { return }
        // NIO reports the stream closed (and the slot comes back) while writing the RST_STREAM.
        self.write(HTTP2Frame(streamID: streamID, payload: .rstStream(.cancel)))
        self.flush()
    }

    private func open(_ stream: UpstreamUnaryStream) {
        let streamID = self.nextStreamID
        guard streamID < HTTP2StreamID.maxID.advanced(by: -2) else {
            // Stream IDs used up: this connection takes no new streams.
            self.releaseSlot(of: stream)
            self.connection.streamIDsExhausted()
            stream.complete(.failure(self.connection.abruptEnd(of: nil, resetCode: nil)))
            return
        }
        self.nextStreamID = streamID.advanced(by: 2)
        stream.streamID = streamID
        self.streams[streamID] = stream
        self.write(HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: stream.requestHeaders, endStream: false))))
        // A failed HEADERS write (reported through errorCaught) already ended the call.
        guard self.streams[streamID] === stream else { return }
        stream.headersWritten = true
        self.write(HTTP2Frame(streamID: streamID, payload: .data(.init(data: .byteBuffer(stream.requestBody), endStream: true))))
    }

    /// Opens queued calls while the server allows more streams.
    private func openQueued() {
        guard self.settingsReceived, !self.closed else { return }
        var opened = false
        while self.streams.count < self.maxConcurrentStreams, let next = self.queue.popFirst() {
            if next.isPending {
                self.open(next)
                opened = true
            } else {
                self.releaseSlot(of: next)
            }
        }
        if opened { self.flush() }
    }

    private func releaseSlot(of stream: UpstreamUnaryStream) {
        guard !stream.released else { return }
        stream.released = true
        stream.handler = nil
        self.connection.streamFinished()
    }

    /// The stream is over as far as NIO is concerned: frees its slot, and reports it if it
    /// ended without a response.
    private func streamClosed(_ streamID: HTTP2StreamID, reason: HTTP2ErrorCode?) {
        guard let stream = self.streams.removeValue(forKey: streamID) else { return }
        self.releaseSlot(of: stream)
        if stream.isPending {
            stream.complete(.failure(self.connection.abruptEnd(of: streamID, resetCode: reason)))
        }
        self.openQueued()
    }

    // MARK: Inbound

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    package func channelActive(context: ChannelHandlerContext) {
        UpstreamConnectionHandler.raiseConnectionWindow(to: self.connectionWindowSize, context: context)
        context.fireChannelActive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.reading = true
        let frame = self.unwrapInboundIn(data)
        let streamID = frame.streamID
        switch frame.payload {
        case .headers(let headers):
            guard let stream = self.streams[streamID], stream.isPending else { return }
            if headers.endStream { stream.remoteClosed = true }
            self.apply(stream.decoder.receiveHeaders(headers.headers, endStream: headers.endStream), to: stream)
        case .data(let data):
            guard let stream = self.streams[streamID], stream.isPending else { return }
            guard case .byteBuffer(let buffer) = data.data else { return }
            if data.endStream { stream.remoteClosed = true }
            self.apply(stream.decoder.receiveData(buffer, endStream: data.endStream), to: stream)
        case .settings(.settings(let settings)):
            for setting in settings where setting.parameter == .maxConcurrentStreams {
                self.maxConcurrentStreams = setting.value
            }
            self.settingsReceived = true
            self.openQueued()
        case .goAway(let lastStreamID, let errorCode, _):
            // Before NIO reports the streams above `lastStreamID` closed, so that they are
            // classified as not processed.
            self.connection.receivedGoAway(lastStreamID: lastStreamID, errorCode: errorCode)
            self.failQueued(GRPCStatus(
                code: .unavailable, message: "upstream \(self.connection.endpoint) is going away (GOAWAY) and did not process the request"))
        case .ping(_, ack: false):
            self.connection.receivedPing()
        default:
            // RST_STREAM: NIO reports the stream closed with its error code right after.
            break
        }
    }

    private func apply(_ action: GRPCResponseDecoder.Action, to stream: UpstreamUnaryStream) {
        switch action {
        case .none:
            break
        case .finished(let box):
            stream.complete(.response(box.response))
        case .failAndReset(let status):
            stream.complete(.failure(.init(status: status, notProcessed: false)))
            if !stream.remoteClosed, let streamID = stream.streamID {
                self.write(HTTP2Frame(streamID: streamID, payload: .rstStream(.cancel)))
            }
        }
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        self.reading = false
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Several events per call arrive here as `Any`: compare the dynamic type first, so
        // that only the matching cast runs (a failed cast from `Any` is a slow runtime walk).
        let type = ObjectIdentifier(Swift.type(of: event))
        if type == Self.streamClosedEvent, let closed = event as? StreamClosedEvent {
            self.streamClosed(closed.streamID, reason: closed.reason)
        } else if type == Self.windowUpdatedEvent, let window = event as? NIOHTTP2WindowUpdatedEvent {
            self.windowChanged(window)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private static let streamClosedEvent = ObjectIdentifier(StreamClosedEvent.self)
    private static let windowUpdatedEvent = ObjectIdentifier(NIOHTTP2WindowUpdatedEvent.self)

    /// Gives inbound window back once half of it is used, as NIO's multiplexer would.
    private func windowChanged(_ event: NIOHTTP2WindowUpdatedEvent) {
        guard let window = event.inboundWindowSize else { return }
        let target: Int
        if event.streamID == .rootStream {
            target = self.connectionWindowSize
        } else {
            guard let stream = self.streams[event.streamID], !stream.remoteClosed else { return }
            target = self.streamWindowSize
        }
        if window <= target / 2 {
            self.write(HTTP2Frame(streamID: event.streamID, payload: .windowUpdate(windowSizeIncrement: target - window)))
            self.flush()
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            // A frame of ours NIO refused to send (new stream after GOAWAY, ...).
            self.connection.recordError(streamError.baseError)
            self.writeFailed(on: streamError.streamID, error: streamError.baseError)
        } else if UpstreamConnectionHandler.isStreamScoped(error) {
            // NIO resets the stream itself; its close event follows.
            self.connection.recordError(error)
        } else {
            // See UpstreamConnectionHandler.errorCaught: a broken connection is closed.
            self.connection.connectionFailed(error)
            context.close(promise: nil)
        }
    }

    private func writeFailed(on streamID: HTTP2StreamID, error: Error) {
        guard let stream = self.streams.removeValue(forKey: streamID) else { return }
        self.releaseSlot(of: stream)
        if stream.headersWritten {
            // The stream is open in NIO: close it.
            self.write(HTTP2Frame(streamID: streamID, payload: .rstStream(.cancel)))
            self.flush()
        }
        stream.complete(.failure(.init(
            status: GRPCStatus(code: .unavailable, message: "cannot send the request to \(self.connection.endpoint): \(error)"),
            notProcessed: !stream.headersWritten
        )))
        self.openQueued()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        self.closed = true
        // First, so that retries of the calls failed below go to another connection.
        self.connection.channelClosed()
        let open = self.streams
        self.streams.removeAll()
        for (streamID, stream) in open.sorted(by: { $0.key < $1.key }) {
            self.releaseSlot(of: stream)
            stream.complete(.failure(self.connection.abruptEnd(of: streamID, resetCode: nil)))
        }
        self.failQueued(nil)
        context.fireChannelInactive()
    }

    /// Fails every queued call as never sent.
    private func failQueued(_ status: GRPCStatus?) {
        self.closed = true
        while let stream = self.queue.popFirst() {
            self.releaseSlot(of: stream)
            if let status {
                stream.complete(.failure(.init(status: status, notProcessed: true)))
            } else {
                stream.complete(.failure(self.connection.abruptEnd(of: nil, resetCode: nil)))
            }
        }
    }

    // MARK: Outbound

    private func write(_ frame: HTTP2Frame) {
        self.context?.write(self.wrapOutboundOut(frame), promise: nil)
        self.needsFlush = true
    }

    /// Flushes at the end of the read in progress, or once the event loop is done with
    /// what it is running now: calls started by many downstream requests in one loop
    /// iteration then share one write system call (and one wake-up of the backend).
    private func flush() {
        guard !self.reading, self.needsFlush, !self.flushScheduled, let context = self.context else { return }
        self.flushScheduled = true
        context.eventLoop.execute { [self] in
            self.flushScheduled = false
            guard self.needsFlush, let context = self.context else { return }
            self.needsFlush = false
            context.flush()
        }
    }
}
