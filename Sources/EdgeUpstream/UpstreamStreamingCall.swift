import NIOCore
import NIOHPACK
import NIOHTTP2
import EdgeCore
import EdgeTLS

/// One streaming gRPC call on its own HTTP/2 stream channel of a pooled
/// ``UpstreamConnection``: the HTTP side's ``UpstreamStreamControl`` and the stream
/// channel's handler in one object.
///
/// Requests: HEADERS go out as soon as the stream exists; each ``send(_:)`` is one
/// DATA frame (5-byte gRPC header + message), ``finishSending()`` an empty DATA frame
/// with END_STREAM. Messages sent before the stream exists are queued.
///
/// Responses: frames go through an ``UpstreamStreamingResponseDecoder``; each message
/// reaches the observer as soon as it is complete. Pausing turns the stream channel's
/// `autoRead` off, so unread frames stay in NIO's stream buffer, no WINDOW_UPDATE is
/// sent for them and HTTP/2 flow control stops the backend. NIO still hands over every
/// frame it had buffered when a read was asked for (after a pause that can be the whole
/// stream window, megabytes): what arrives while paused stays in the decoder, and the
/// stream's end waits behind it, until ``resumeReading()`` delivers it message by
/// message; only when it is all delivered, unpaused, is NIO asked for more.
///
/// Confined to its event loop (`@unchecked Sendable` only so NIO's `@Sendable`
/// callbacks, which run on that loop, can capture it).
package final class UpstreamStreamingCall: ChannelInboundHandler, UpstreamStreamControl, @unchecked Sendable {
    package typealias InboundIn = HTTP2Frame.FramePayload
    package typealias OutboundOut = HTTP2Frame.FramePayload

    private let head: UpstreamStreamHead
    private let eventLoop: EventLoop
    /// Held until the end is delivered or the call is cancelled.
    private var observer: (any UpstreamStreamObserver)?
    private var decoder: UpstreamStreamingResponseDecoder

    private var connection: UpstreamConnection?
    private var context: ChannelHandlerContext?
    private var deadlineTask: Scheduled<Void>?
    /// Inside ``start(cluster:tls:)``: an end reached now is delivered on a later loop
    /// tick, never re-entrantly inside `openStream`.
    private var opening = true
    /// Finished or cancelled: no more callbacks, no more sending.
    private var ended = false

    /// Framed request messages waiting for the stream to become active.
    private var queued: [ByteBuffer] = []
    private var headersSent = false
    private var sendingFinished = false
    private var endStreamSent = false
    private var remoteEnded = false
    private var inactive = false
    private var paused = false
    /// The stream's end (trailers, or END_STREAM on DATA) arrived while paused: handled
    /// once the messages before it are delivered.
    private var heldEnd: HeldEnd?

    private enum HeldEnd {
        case trailers(HPACKHeaders)
        case endOfStream
    }

    private var requestHeaderBlock = HPACKHeaders()
    private var streamID: HTTP2StreamID?
    private var closeReason: HTTP2ErrorCode?
    private var messagesReceived = 0
    /// Whether this call's slot on the connection was given back.
    private var released = false
    /// The cluster's circuit breaker let this call through: its end is recorded once.
    private var breakerPermit: (cluster: UpstreamCluster, permit: CircuitBreaker.Permit, endpoint: Int?)?
    /// The cluster and the time the stream was opened (the end's summary).
    private var summaryStart: (cluster: String, started: NIODeadline, attempted: Bool)?
    /// The cluster whose `max_requests` slot this call holds: given back once, when it ends.
    private var requestSlot: UpstreamCluster?

    package init(head: UpstreamStreamHead, policy: CallPolicy, eventLoop: EventLoop, observer: any UpstreamStreamObserver) {
        self.head = head
        self.eventLoop = eventLoop
        self.observer = observer
        self.decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: policy.maxResponseBytes)
    }

    // MARK: Starting

    /// Opens the stream on the next connection of `cluster`'s pool for this loop.
    package func start(cluster: UpstreamCluster) {
        self.eventLoop.assertInEventLoop()
        defer { self.opening = false }
        // Cancelled before it started (opened from another loop): nothing is taken.
        guard !self.ended else { return }
        cluster.stats.update { $0.attempts += 1 }
        self.summaryStart = (cluster.config.name, .now(), false)
        guard self.head.deadline > .now() else {
            self.finish(GRPCStatus(code: .deadlineExceeded, message: "deadline expired before the upstream call started"))
            return
        }
        // Streams count against the cluster's max_requests and pass the same circuit
        // breaker as unary calls, and their ends feed it and outlier detection alike.
        guard cluster.admitRequest() else {
            self.finish(cluster.overflowStatus)
            return
        }
        self.requestSlot = cluster
        guard let permit = cluster.admit() else {
            self.finish(cluster.breakerOpenStatus)
            return
        }
        self.breakerPermit = (cluster, permit, nil)
        if self.head.deadline != .distantFuture {
            self.deadlineTask = self.eventLoop.scheduleTask(deadline: self.head.deadline) { [self] in
                self.finish(GRPCStatus(code: .deadlineExceeded, message: "upstream call to \(self.head.path) exceeded its deadline"))
            }
        }
        let (connection, endpoint) = cluster.loopPool(for: self.eventLoop).nextStreaming()
        self.breakerPermit?.endpoint = endpoint
        self.connection = connection
        connection.activeStreams += 1
        self.requestHeaderBlock = self.requestHeaders(authority: connection.authority, tls: cluster.config.tls)
        self.summaryStart?.attempted = true
        if let observer = self.head.attemptObserver,
            let traceparent = observer.attemptStarted(1, cluster: cluster.config.name, host: connection.endpoint.host, port: connection.endpoint.port)
        {
            // New on every attempt: indexed, it would churn the connection's HPACK table (GRPCRequestHeaders.indexing).
            self.requestHeaderBlock.add(name: "traceparent", value: traceparent, indexing: .nonIndexable)
        }
        connection.withMultiplexer { [self] result in
            switch result {
            case .success(let multiplexer):
                guard !self.ended else {
                    self.releaseSlot()
                    return
                }
                let created = self.eventLoop.makePromise(of: Channel.self)
                created.futureResult.whenFailure { [self] error in
                    self.releaseSlot()
                    self.finish(GRPCStatus(code: .unavailable, message: "cannot open a stream to \(connection.endpoint): \(error)"))
                }
                multiplexer.createStreamChannel(promise: created) { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(self)
                    }
                }
            case .failure(let attempt):
                self.releaseSlot()
                self.finish(attempt.status)
            }
        }
    }

    /// Ends a call that could not start (no cluster), asynchronously.
    package func fail(_ status: GRPCStatus) {
        defer { self.opening = false }
        self.finish(status)
    }

    private func requestHeaders(authority: String, tls: Bool) -> HPACKHeaders {
        GRPCRequestHeaders.make(path: self.head.path, authority: authority, tls: tls, deadline: self.head.deadline, metadata: self.head.metadata)
    }

    // MARK: UpstreamStreamControl

    package func send(_ message: ByteBuffer) {
        self.eventLoop.assertInEventLoop()
        guard !self.ended, !self.sendingFinished else { return }
        let framed = GRPCFrame.framed(message)
        if self.headersSent, let context = self.context {
            context.writeAndFlush(self.wrapOutboundOut(.data(.init(data: .byteBuffer(framed)))), promise: nil)
        } else {
            self.queued.append(framed)
        }
    }

    package func finishSending() {
        self.eventLoop.assertInEventLoop()
        guard !self.ended, !self.sendingFinished else { return }
        self.sendingFinished = true
        if self.headersSent, let context = self.context {
            self.sendEndStream(context: context)
            context.flush()
        }
    }

    package var isWritable: Bool {
        guard self.headersSent, let context = self.context else { return true }
        return context.channel.isWritable
    }

    package func pauseReading() {
        self.eventLoop.assertInEventLoop()
        guard !self.paused else { return }
        self.paused = true
        try? self.context?.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
    }

    package func resumeReading() {
        self.eventLoop.assertInEventLoop()
        guard self.paused else { return }
        self.paused = false
        // What arrived while paused first; delivering it may pause the call again.
        self.deliverMessages()
        self.handleHeldEnd()
        guard !self.paused, !self.ended, let context = self.context, !self.inactive else { return }
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        context.read()
    }

    package func cancel() {
        self.eventLoop.assertInEventLoop()
        guard self.observer != nil else { return }
        self.observer = nil
        // The call is over for the connection now (as in `finish`), not when the stream
        // channel's close completes: the slot must not wait on the backend.
        guard self.markEnded() else { return }
        // The client went away: not the backend's failure, but a probe's permit is given back.
        self.recordEnd(.cancelled)
        if self.summaryStart?.attempted == true {
            self.head.attemptObserver?.attemptEnded(1, status: GRPCStatus(code: .cancelled, message: "cancelled by the client"), retrying: false)
        }
    }

    /// Gives back the call's `max_requests` slot and tells the circuit breaker and outlier
    /// detection how the call ended, once (from ``finish(_:trailers:)`` or ``cancel()``).
    private func recordEnd(_ code: GRPCStatusCode) {
        if let cluster = self.requestSlot {
            self.requestSlot = nil
            cluster.releaseRequest()
        }
        guard let (cluster, permit, endpoint) = self.breakerPermit else { return }
        self.breakerPermit = nil
        cluster.record(code, permit: permit)
        if let endpoint {
            cluster.outliers.record(endpoint: endpoint, code: code, on: self.eventLoop)
        }
    }

    // MARK: ChannelInboundHandler

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if self.ended {
            context.close(promise: nil)
            return
        }
        if self.paused {
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        }
        if context.channel.isActive {
            self.sendHead(context: context)
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.releaseSlot()
    }

    package func channelActive(context: ChannelHandlerContext) {
        self.sendHead(context: context)
        context.fireChannelActive()
    }

    private func sendHead(context: ChannelHandlerContext) {
        guard !self.headersSent, !self.ended else { return }
        self.headersSent = true
        context.write(self.wrapOutboundOut(.headers(.init(headers: self.requestHeaderBlock))), promise: nil)
        for framed in self.queued {
            context.write(self.wrapOutboundOut(.data(.init(data: .byteBuffer(framed)))), promise: nil)
        }
        self.queued = []
        if self.sendingFinished {
            self.sendEndStream(context: context)
        }
        context.flush()
        self.streamID = try? context.channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID)
        if !context.channel.isWritable, let observer = self.observer {
            observer.upstreamWritabilityChanged(false)
        }
    }

    private func sendEndStream(context: ChannelHandlerContext) {
        guard !self.endStreamSent else { return }
        self.endStreamSent = true
        context.write(self.wrapOutboundOut(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))), promise: nil)
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.ended else { return }
        switch self.unwrapInboundIn(data) {
        case .headers(let headers):
            if headers.endStream { self.remoteEnded = true }
            if headers.endStream, self.paused {
                self.holdEnd(.trailers(headers.headers))
                return
            }
            self.handle(self.decoder.receiveHeaders(headers.headers, endStream: headers.endStream))
        case .data(let data):
            guard case .byteBuffer(let buffer) = data.data else { return }
            if data.endStream { self.remoteEnded = true }
            self.handle(self.decoder.receiveData(buffer))
            self.deliverMessages()
            if data.endStream, !self.ended {
                if self.paused {
                    self.holdEnd(.endOfStream)
                } else {
                    self.handle(self.decoder.receiveEndOfStream())
                }
            }
        case .rstStream(let code):
            self.closeReason = code
        default:
            break
        }
    }

    /// Delivers the complete messages the decoder holds, until the observer pauses the call.
    private func deliverMessages() {
        while !self.ended, !self.paused {
            switch self.decoder.nextMessage() {
            case .none:
                return
            case .message(let message):
                self.messagesReceived += 1
                self.observer?.upstreamReceivedMessage(message)
            case .failAndReset(let status):
                self.finish(status)
                return
            }
        }
    }

    /// The backend is done within its deadline: what is left is delivery to a slow client,
    /// which the deadline no longer governs (as when the end is handled at once).
    private func holdEnd(_ end: HeldEnd) {
        self.heldEnd = end
        self.deadlineTask?.cancel()
        self.deadlineTask = nil
    }

    /// The end that arrived while paused, once every message before it is delivered.
    private func handleHeldEnd() {
        guard !self.paused, !self.ended, let end = self.heldEnd else { return }
        self.heldEnd = nil
        switch end {
        case .trailers(let trailers):
            self.handle(self.decoder.receiveHeaders(trailers, endStream: true))
        case .endOfStream:
            self.handle(self.decoder.receiveEndOfStream())
        }
    }

    private func handle(_ action: UpstreamStreamingResponseDecoder.Action) {
        switch action {
        case .none:
            break
        case .receivedHeaders(let headers):
            self.observer?.upstreamReceivedHeaders(headers)
        case .finished(let status, let trailers):
            self.finish(status, trailers: trailers)
        case .failAndReset(let status):
            self.finish(status)
        }
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !self.ended, self.headersSent, let observer = self.observer {
            observer.upstreamWritabilityChanged(context.channel.isWritable)
        }
        context.fireChannelWritabilityChanged()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent, let reason = closed.reason {
            self.closeReason = self.closeReason ?? reason
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let closed = error as? NIOHTTP2Errors.StreamClosed {
            self.closeReason = self.closeReason ?? closed.errorCode
        } else {
            self.connection?.recordError(error)
        }
        context.close(promise: nil)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        self.inactive = true
        self.releaseSlot()
        // A stream that ended while paused closes with its end held: that end is
        // reported (after the messages before it) when reading resumes.
        if !self.ended, self.heldEnd == nil {
            self.finish(self.abruptEnd())
        }
        context.fireChannelInactive()
    }

    // MARK: Ending

    /// Classifies a stream that closed without a status.
    private func abruptEnd() -> GRPCStatus {
        guard let connection = self.connection else {
            return GRPCStatus(code: .unavailable, message: "upstream stream closed")
        }
        return connection.abruptEnd(of: self.streamID, resetCode: self.closeReason).status
    }

    /// Marks the call ended, once (false when it already was): stops the deadline, drops
    /// queued messages, resets the stream when still open and frees the connection's slot.
    private func markEnded() -> Bool {
        guard !self.ended else { return false }
        self.ended = true
        self.deadlineTask?.cancel()
        self.deadlineTask = nil
        self.queued = []
        self.resetStream()
        self.releaseSlot()
        return true
    }

    /// Ends the call exactly once: stops the deadline, resets the stream when it is
    /// still open, and tells the observer (on a later tick while still opening).
    private func finish(_ status: GRPCStatus, trailers: [(name: String, value: String)] = []) {
        // The stream is over for this call even if its channel closes a moment later.
        guard self.markEnded() else { return }
        self.recordEnd(status.code)
        var end = UpstreamStreamEnd(status: status, trailers: trailers, messagesReceived: self.messagesReceived)
        if let start = self.summaryStart {
            end.summary = UpstreamCallSummary(cluster: start.cluster, attempts: start.attempted ? 1 : 0, duration: .now() - start.started)
            if start.attempted { self.head.attemptObserver?.attemptEnded(1, status: status, retrying: false) }
        }
        if self.opening {
            self.eventLoop.execute { [self, end] in self.deliver(end) }
        } else {
            self.deliver(end)
        }
    }

    private func deliver(_ end: UpstreamStreamEnd) {
        guard let observer = self.observer else { return }
        self.observer = nil
        observer.upstreamFinished(end)
    }

    /// RST_STREAM(CANCEL) unless the stream already closed both ways.
    private func resetStream() {
        guard let context = self.context, !self.inactive, !(self.endStreamSent && self.remoteEnded) else { return }
        context.close(promise: nil)
    }

    /// Gives the call's slot on the connection back, exactly once.
    private func releaseSlot() {
        guard !self.released, let connection = self.connection else { return }
        self.released = true
        connection.streamFinished()
    }
}
