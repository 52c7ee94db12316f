import NIOCore
import NIOWebSocket
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// One streaming call over an upgraded connection, full duplex: each text frame
/// is one JSON request message, each response message goes back as one text
/// frame as it arrives, and the call's status ends the stream in the close
/// frame (see ``WebSocketCloseStatus``).
///
/// - Requests: bidi and client-streaming methods take any number of frames;
///   a server-streaming method takes one (its request message); a route
///   without `body:` takes none: its request is the path and query alone, sent
///   when the stream opens. Path and query bindings apply to every message.
/// - The client's close frame half-closes the call (`finishSending`); the
///   stream stays open until the backend ends it, then the close frame carries the status.
/// - Refusals (bad JSON, a binary frame, a protocol violation, a message over
///   the route's body limit) cancel the call and close with their status.
/// - The client going away cancels the call.
/// - Backpressure: the socket is not read while the call cannot take more
///   requests; the backend is not read while the socket cannot take more responses.
package final class WebSocketStreamHandler<Transcoder: RequestTranscoding>: ChannelDuplexHandler, UpstreamStreamObserver {
    package typealias InboundIn = WebSocketFrame
    package typealias OutboundIn = WebSocketFrame
    package typealias OutboundOut = WebSocketFrame

    /// Everything the stream needs, resolved from the upgrade request.
    package struct Stream {
        package var route: MatchedRoute<Transcoder.Route>
        package var head: UpstreamStreamHead
        package var transcoder: Transcoder
        package var upstream: any UpstreamStreaming
        package var detailsRenderer: StatusDetailsRenderer?
        package var maxMessageBytes: Int
        /// When the upgrade request's head arrived.
        package var started: NIODeadline
        /// The route's policies' decisions; their observers see the session's end.
        package var admission: RequestAdmission<Transcoder.Route>
        package var requestID: String
    }

    /// How long the client has to answer our close frame before the connection is closed anyway.
    package static var closeHandshakeTimeout: TimeAmount { .seconds(5) }

    private let stream: Stream
    private var state: WebSocketStreamState
    private var assembler: WebSocketMessageAssembler
    /// The call, until it ended or was cancelled.
    private var control: (any UpstreamStreamControl)?
    /// A `read` held back while the call could not take more requests.
    private var readPending = false
    private var closeTimer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var recorded = false
    /// For the observers: messages and bytes each way, how the call ended.
    private var messagesIn = 0
    private var messagesOut = 0
    private var bytesIn = 0
    private var bytesOut = 0
    private var endCode: GRPCStatusCode?
    private var upstreamSummary: UpstreamCallSummary?

    package init(_ stream: Stream) {
        self.stream = stream
        self.state = WebSocketStreamState(
            shape: .init(acceptsBody: stream.route.acceptsBody, streamsRequests: stream.route.streaming.clientStreaming))
        self.assembler = WebSocketMessageAssembler(maxMessageBytes: stream.maxMessageBytes)
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let control = stream.upstream.openStream(
            stream.head, policy: stream.route.callPolicy, on: context.eventLoop, observer: self)
        // The call may have ended already (no cluster for the service, say).
        guard state.callLive else { return }
        self.control = control
        perform(state.callOpened(), json: nil)
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        connectionClosed()
        self.context = nil
    }

    package func channelInactive(context: ChannelHandlerContext) {
        connectionClosed()
        context.fireChannelInactive()
    }

    private func connectionClosed() {
        recordStream()
        closeTimer?.cancel()
        closeTimer = nil
        let cancel = state.connectionClosed()
        if let control {
            self.control = nil
            if cancel { control.cancel() }
        }
    }

    // MARK: - Client frames

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard state.phase != .closed else { return }
        if let failure = WebSocketMessageAssembler.check(frame) { return refuse(failure) }
        switch frame.opcode {
        case .connectionClose:
            receivedClose()
        case .ping:
            guard state.writesFrames else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        default:
            // After either side's close frame, data frames are dropped.
            guard state.phase == .open, !state.clientSentClose else { return }
            switch assembler.append(frame) {
            case .incomplete:
                break
            case .message(let opcode, let payload):
                if opcode == .text {
                    messagesIn += 1
                    bytesIn += payload.readableBytes
                    perform(state.receivedMessage(label: stream.route.label), json: payload)
                } else {
                    fail(
                        EdgeError(code: .invalidArgument, message: "binary frames are not accepted: send each JSON message as a text frame"),
                        closeCode: .unacceptableData)
                }
            case .failed(let failure):
                refuse(failure)
            }
        }
    }

    private func receivedClose() {
        switch state.receivedClientClose() {
        case .finishSending(let sendBindingsFirst):
            // Half-close: the backend's remaining answers and its status still come.
            if sendBindingsFirst { send(nil, finishSending: true) }
            control?.finishSending()
        case .closeConnection:
            closeConnection()
        case .none:
            break
        }
    }

    private func perform(_ action: WebSocketStreamState.MessageAction, json: ByteBuffer?) {
        switch action {
        case .send(let finishSending):
            send(json, finishSending: finishSending)
        case .refuse(let reason):
            fail(.badRequest(reason))
        case .drop:
            break
        }
    }

    /// One request message from the bindings and `json` (nil: the bindings alone).
    private func send(_ json: ByteBuffer?, finishSending: Bool) {
        switch stream.transcoder.prepare(stream.route, body: json) {
        case .success(let message):
            control?.send(message)
            if finishSending { control?.finishSending() }
        case .failure(let error):
            fail(error)
        }
    }

    private func refuse(_ failure: WebSocketMessageAssembler.Failure) {
        switch failure {
        case .protocolViolation(let reason):
            fail(EdgeError(code: .invalidArgument, message: "WebSocket protocol error: \(reason)"), closeCode: .protocolError)
        case .tooLarge(let limit):
            fail(
                EdgeError(code: .resourceExhausted, message: "message exceeds the limit of \(limit) bytes"),
                closeCode: .messageTooLarge)
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        // The frame decoder stops for good after an error: close without waiting for the client's close.
        switch error as? NIOWebSocketError {
        case .invalidFrameLength:
            fail(
                EdgeError(code: .resourceExhausted, message: "message exceeds the limit of \(stream.maxMessageBytes) bytes"),
                closeCode: .messageTooLarge, awaitClientClose: false)
        case .fragmentedControlFrame, .multiByteControlFrameLength:
            fail(EdgeError(code: .invalidArgument, message: "WebSocket protocol error: \(error)"), closeCode: .protocolError, awaitClientClose: false)
        case nil:
            context.close(promise: nil)
        }
    }

    // MARK: - Backpressure

    package func read(context: ChannelHandlerContext) {
        if let control, !control.isWritable {
            readPending = true
        } else {
            context.read()
        }
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            control?.resumeReading()
        } else {
            control?.pauseReading()
        }
        context.fireChannelWritabilityChanged()
    }

    package func upstreamWritabilityChanged(_ isWritable: Bool) {
        guard isWritable, readPending, let context else { return }
        readPending = false
        context.read()
    }

    // MARK: - Upstream events

    package func upstreamReceivedHeaders(_ headers: [(name: String, value: String)]) {
        // The 101 response is long gone; response metadata has nowhere to go.
    }

    package func upstreamReceivedMessage(_ message: ByteBuffer) {
        guard state.writesFrames, let context else { return }
        switch stream.transcoder.render(message, for: stream.route) {
        case .success(let json):
            messagesOut += 1
            bytesOut += json.readableBytes
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: json)), promise: nil)
        case .failure(let error):
            fail(error)
        }
    }

    package func upstreamFinished(_ end: UpstreamStreamEnd) {
        control = nil
        upstreamSummary = end.summary
        if endCode == nil { endCode = end.status.code }
        let action = state.callEnded()
        guard action != .none else { return }
        let error = end.status.code == .ok ? nil : EdgeError(status: end.status)
        perform(action, error: error, code: WebSocketCloseStatus.closeCode(for: end.status.code))
    }

    // MARK: - Ending

    /// Ends the stream with an error of the edge's own: the call is cancelled.
    private func fail(_ error: EdgeError, closeCode: WebSocketErrorCode? = nil, awaitClientClose: Bool = true) {
        if endCode == nil { endCode = error.code }
        perform(
            state.failed(awaitClientClose: awaitClientClose), error: error,
            code: closeCode ?? WebSocketCloseStatus.closeCode(for: error.code))
    }

    private func perform(_ action: WebSocketStreamState.EndAction, error: EdgeError?, code: WebSocketErrorCode) {
        switch action {
        case .sendClose(let cancelCall, let closeAfterWrite):
            if cancelCall, let control {
                self.control = nil
                control.cancel()
            }
            sendClose(error, code: code, closeAfterWrite: closeAfterWrite)
        case .closeConnection:
            closeConnection()
        case .none:
            break
        }
    }

    private func sendClose(_ error: EdgeError?, code: WebSocketErrorCode, closeAfterWrite: Bool) {
        guard let context else { return }
        let allocator = context.channel.allocator
        if let error, let frame = WebSocketCloseStatus.errorFrame(error, detailsRenderer: stream.detailsRenderer, allocator: allocator) {
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: frame)), promise: nil)
        }
        let payload = WebSocketCloseStatus.closePayload(code: code, error: error, allocator: allocator)
        let written = context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        if closeAfterWrite {
            written.whenComplete { _ in bound.value.closeConnection() }
        } else {
            // A read may be held back for backpressure; the client's close frame must get through.
            if readPending {
                readPending = false
                context.read()
            }
            closeTimer = context.eventLoop.scheduleTask(in: Self.closeHandshakeTimeout) { bound.value.closeConnection() }
        }
    }

    /// One exchange for the observers per session: status 101, the whole session's duration,
    /// how the call ended (`CANCELLED` when the client left first), messages each way.
    private func recordStream() {
        guard !recorded else { return }
        recorded = true
        var outcome = ExchangeOutcome(
            status: 101, grpcCode: endCode ?? .cancelled, started: stream.started, finished: .now(), label: stream.route.label)
        outcome.bytesIn = bytesIn
        outcome.bytesOut = bytesOut
        outcome.upstream = upstreamSummary
        outcome.stream = StreamSummary(messagesIn: messagesIn, messagesOut: messagesOut)
        stream.admission.completed(outcome)
    }

    private func closeConnection() {
        recordStream()
        closeTimer?.cancel()
        closeTimer = nil
        _ = state.closeConnection()
        context?.close(promise: nil)
    }
}
