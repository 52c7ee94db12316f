import NIOCore
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// First handler of a connection (below the HTTP decoder, so it sees raw bytes):
/// closes idle connections and cuts off clients that trickle a request head.
///
/// The request handler tells it when a head is complete and when a response
/// has been written; it starts the header-read deadline at the first byte of
/// the next request.
package final class ConnectionTimeoutHandler: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    private var timeouts: ConnectionTimeouts
    /// When the armed timeout expires; nil when none is armed.
    private var deadline: NIODeadline?
    /// The one scheduled check. It is never later than `deadline` and never further
    /// out than the shorter timeout, so arming again (per request) only moves
    /// `deadline`: no schedule and cancel per request. When it fires before the
    /// deadline it schedules itself again for the rest.
    private var timer: Scheduled<Void>?
    private let horizon: TimeAmount
    private var context: ChannelHandlerContext?
    private let detailsRenderer: StatusDetailsRenderer?

    package init(idleTimeout: TimeAmount, headerReadTimeout: TimeAmount, detailsRenderer: StatusDetailsRenderer? = nil) {
        self.timeouts = ConnectionTimeouts(idleTimeout: idleTimeout, headerReadTimeout: headerReadTimeout)
        self.horizon = min(idleTimeout, headerReadTimeout)
        self.detailsRenderer = detailsRenderer
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { perform(timeouts.start()) }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        deadline = nil
        self.context = nil
    }

    package func channelActive(context: ChannelHandlerContext) {
        if timer == nil { perform(timeouts.start()) }
        context.fireChannelActive()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        perform(timeouts.closed())
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(timeouts.bytesReceived())
        context.fireChannelRead(data)
    }

    package func headReceived() { perform(timeouts.headReceived()) }

    package func responseCompleted() { perform(timeouts.responseCompleted()) }

    private func perform(_ action: ConnectionTimeouts.Action) {
        switch action {
        case .none:
            break
        case .cancel:
            // The scheduled check stays; finding no deadline it lapses.
            deadline = nil
        case .arm(let amount):
            let now = NIODeadline.now()
            deadline = now + amount
            if timer == nil { schedule(now: now) }
        }
    }

    private func schedule(now: NIODeadline) {
        guard let context, let deadline else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: min(deadline, now + horizon)) { bound.value.fired() }
    }

    private func fired() {
        timer = nil
        guard let deadline else { return }
        let now = NIODeadline.now()
        if now < deadline { return schedule(now: now) }
        self.deadline = nil
        expired()
    }

    private func expired() {
        guard let context else { return }
        switch timeouts.expired() {
        case .ignore:
            break
        case .idle:
            context.close(promise: nil)
        case .headerRead:
            // Below the HTTP encoder: write the whole 408 response as bytes.
            let error = EdgeError.headerReadTimeout()
            let body = StatusBody.render(error, detailsRenderer: detailsRenderer, allocator: context.channel.allocator)
            var requestIDs = RequestIDGenerator()
            let head = ResponseHead.error(error, bodyLength: body.readableBytes, requestID: requestIDs.make(), keepAlive: false)
            var response = context.channel.allocator.buffer(capacity: 200 + body.readableBytes)
            response.writeString(ResponseHead.serialize(head))
            response.writeImmutableBuffer(body)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
