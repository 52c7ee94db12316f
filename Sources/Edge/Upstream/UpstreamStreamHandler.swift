import NIOCore
import NIOHPACK
import NIOHTTP2

/// One unary call on its own HTTP/2 stream channel of a multiplexed connection (health
/// checks; the data path runs unary calls on frames, see ``UpstreamUnaryConnectionHandler``):
/// sends the request (HEADERS, then one DATA frame with END_STREAM), feeds the response
/// frames to a ``GRPCResponseDecoder`` and reports the outcome exactly once.
///
/// Confined to the connection's event loop (`@unchecked Sendable` only so NIO's
/// `@Sendable` initializer closures can capture it).
final class UpstreamStreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let requestHeaders: HPACKHeaders
    private let requestBody: ByteBuffer
    private let connection: UpstreamConnection
    private var decoder: GRPCResponseDecoder
    private var onComplete: ((UpstreamAttemptResult) -> Void)?
    private var context: ChannelHandlerContext?
    private var streamID: HTTP2StreamID?
    private var closeReason: HTTP2ErrorCode?
    private var cancelled = false
    private var sent = false
    /// Whether this attempt's slot on the connection was given back.
    private var released = false

    init(
        requestHeaders: HPACKHeaders,
        requestBody: ByteBuffer,
        maxResponseBytes: Int,
        connection: UpstreamConnection,
        onComplete: @escaping (UpstreamAttemptResult) -> Void
    ) {
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.decoder = GRPCResponseDecoder(maxResponseBytes: maxResponseBytes)
        self.connection = connection
        self.onComplete = onComplete
    }

    /// Abandons the attempt (deadline, shutdown): resets the stream with CANCEL. The
    /// completion callback is not called.
    func cancel() {
        self.onComplete = nil
        self.cancelled = true
        self.context?.close(promise: nil)
    }

    /// Gives the attempt's slot on the connection back, exactly once, however the attempt ended.
    func releaseSlot() {
        guard !self.released else { return }
        self.released = true
        self.connection.streamFinished()
    }

    /// The stream could not be created (connection closed or going away before the stream was opened).
    func streamCreationFailed(_ error: Error) {
        self.releaseSlot()
        self.complete(.failure(.init(
            status: GRPCStatus(code: .unavailable, message: "cannot open a stream to \(self.connection.endpoint): \(error)"),
            notProcessed: true
        )))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if self.cancelled {
            context.close(promise: nil)
        } else if context.channel.isActive {
            self.sendRequest(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.releaseSlot()
    }

    func channelActive(context: ChannelHandlerContext) {
        self.sendRequest(context: context)
        context.fireChannelActive()
    }

    private func sendRequest(context: ChannelHandlerContext) {
        guard !self.sent, self.onComplete != nil else { return }
        self.sent = true
        let headers = HTTP2Frame.FramePayload.headers(.init(headers: self.requestHeaders, endStream: false))
        context.write(self.wrapOutboundOut(headers), promise: nil)
        let data = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(self.requestBody), endStream: true))
        context.writeAndFlush(self.wrapOutboundOut(data), promise: nil)
        self.streamID = try? context.channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let action: GRPCResponseDecoder.Action
        switch self.unwrapInboundIn(data) {
        case .headers(let headers):
            action = self.decoder.receiveHeaders(headers.headers, endStream: headers.endStream)
        case .data(let data):
            guard case .byteBuffer(let buffer) = data.data else { return }
            action = self.decoder.receiveData(buffer, endStream: data.endStream)
        case .rstStream(let code):
            self.closeReason = code
            return
        default:
            return
        }
        switch action {
        case .none:
            break
        case .finished(let box):
            self.complete(.response(box.response))
        case .failAndReset(let status):
            self.complete(.failure(.init(status: status, notProcessed: false)))
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent, let reason = closed.reason {
            self.closeReason = self.closeReason ?? reason
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let closed = error as? NIOHTTP2Errors.StreamClosed {
            self.closeReason = self.closeReason ?? closed.errorCode
        } else {
            self.connection.recordError(error)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.releaseSlot()
        if self.onComplete != nil {
            self.complete(.failure(self.abruptEnd()))
        }
        context.fireChannelInactive()
    }

    /// Classifies a stream that closed without a complete response.
    private func abruptEnd() -> UpstreamRetryDecision.Attempt {
        self.connection.abruptEnd(of: self.streamID, resetCode: self.closeReason)
    }

    private func complete(_ result: UpstreamAttemptResult) {
        guard let onComplete = self.onComplete else { return }
        self.onComplete = nil
        onComplete(result)
    }
}
