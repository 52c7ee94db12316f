import NIOCore
import NIOHTTP1
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// Answers pipelined HTTP/1.1 requests strictly in order, in place of NIO's
/// `HTTPServerPipelineHandler`: a request that arrives while the previous one is
/// still being answered is buffered and delivered when that response ends.
///
/// Unlike NIO's handler it keeps reading while a response is pending, and holds back
/// `read()` only when the buffer passes a bound: a keep-alive client sending one
/// request at a time never has its read interest switched off and on (two
/// `epoll_ctl` per request). Because it keeps reading it sees the client's FIN
/// early, so the connection allows half-closure: the FIN waits in the buffer behind
/// the requests before it, and the connection closes once they are all answered.
///
/// Also as NIO's: parse errors are delivered in order, and on
/// ``NIOCore/ChannelShouldQuiesceEvent`` an idle connection closes while the
/// exchange in progress finishes (its response says `connection: close`).
package final class HTTPPipeliningHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPServerRequestPart
    package typealias InboundOut = HTTPServerRequestPart
    package typealias OutboundIn = HTTPServerResponsePart
    package typealias OutboundOut = HTTPServerResponsePart

    /// Beyond this many buffered parts, or bytes of buffered bodies, `read()` is held back.
    package static let maxBufferedParts = 32
    package static let maxBufferedBytes = 64 * 1024

    private enum Buffered {
        case part(HTTPServerRequestPart)
        case error(any Error)
        case inputClosed
    }

    private var state = HTTPPipeliningState()
    private var buffer = CircularBuffer<Buffered>(initialCapacity: 4)
    private var bufferedBytes = 0
    private var readPending = false
    /// Delivering buffered requests; a response written meanwhile does not start another round.
    private var delivering = false
    /// The client's FIN has arrived (maybe still buffered): response ends then carry a promise.
    private var finSeen = false
    /// Response ends written with a promise and not written out yet; a close waits for them.
    private var unwrittenEnds = 0
    /// A response end was written without a promise and not flushed yet: keep-alive
    /// responses are flushed at the end of the loop iteration (``ResponseFlushBatch``),
    /// so a close decided meanwhile must first see that end out (see `perform`).
    private var endUnflushed = false

    private var isOverBound: Bool { buffer.count >= Self.maxBufferedParts || bufferedBytes >= Self.maxBufferedBytes }

    // MARK: - Inbound

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if state.dropsRequests { return }
        let part = unwrapInboundIn(data)
        if !buffer.isEmpty || state.exchange == .responding {
            if case .body(let body) = part { bufferedBytes += body.readableBytes }
            buffer.append(.part(part))
            return
        }
        deliver(part, context: context)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, !buffer.isEmpty || state.exchange == .responding {
            buffer.append(.error(error))
            return
        }
        deliverError(error, context: context)
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            let action = state.quiesce()
            if state.dropsRequests {
                buffer.removeAll()
                bufferedBytes = 0
            }
            perform(action, context: context)
        case ChannelEvent.inputClosed:
            finSeen = true
            if buffer.isEmpty {
                deliverInputClosed(context: context)
            } else {
                buffer.append(.inputClosed)
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        state.closed()
        buffer.removeAll()
        bufferedBytes = 0
        context.fireChannelInactive()
    }

    /// On a WebSocket upgrade: whatever was buffered goes on, as does a held-back read.
    package func handlerRemoved(context: ChannelHandlerContext) {
        let pending = buffer
        buffer.removeAll()
        for event in pending {
            switch event {
            case .part(let part): context.fireChannelRead(wrapInboundOut(part))
            case .error(let error): context.fireErrorCaught(error)
            case .inputClosed: context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
        }
        if state.ending == .afterRequestEnd || state.ending == .afterResponse {
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        if readPending {
            readPending = false
            context.read()
        }
    }

    // MARK: - Outbound

    package func read(context: ChannelHandlerContext) {
        if state.dropsRequests { return }
        if isOverBound {
            readPending = true
        } else {
            context.read()
        }
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if state.ending != .open, head.status.code >= 200 {
                var head = head
                head.headers.replaceOrAdd(name: "connection", value: "close")
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            _ = state.responseEnded(nothingBuffered: buffer.isEmpty)
            if finSeen || state.ending != .open {
                // Rare (FIN seen, quiescing): the close, if any, waits for this end to be written.
                unwrittenEnds += 1
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.write(data).whenComplete { result in
                    promise?.completeWith(result)
                    bound.value.0.endWritten(context: bound.value.1)
                }
            } else {
                endUnflushed = true
                context.write(data, promise: promise)
            }
            if state.exchange == .idle, !delivering { deliverBuffered(context: context) }
        }
    }

    package func flush(context: ChannelHandlerContext) {
        endUnflushed = false
        context.flush()
    }

    private func endWritten(context: ChannelHandlerContext) {
        unwrittenEnds -= 1
        if unwrittenEnds == 0, state.ending == .closed { context.close(promise: nil) }
    }

    // MARK: - Delivery

    private func deliver(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        let action: HTTPPipeliningState.CloseAction
        switch part {
        case .head: action = state.delivered(head: true, end: false)
        case .body: action = .none
        case .end: action = state.delivered(head: false, end: true)
        }
        context.fireChannelRead(wrapInboundOut(part))
        perform(action, context: context)
    }

    private func deliverError(_ error: any Error, context: ChannelHandlerContext) {
        if error is HTTPParserError { state.deliveredError() }
        context.fireErrorCaught(error)
    }

    private func deliverInputClosed(context: ChannelHandlerContext) {
        let action = state.inputClosedDelivered()
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        perform(action, context: context)
    }

    /// Delivers buffered requests until one is waiting for its response again; then
    /// lets a held-back read through once the buffer is below its bound.
    private func deliverBuffered(context: ChannelHandlerContext) {
        delivering = true
        defer { delivering = false }
        var deliveredRead = false
        while state.exchange != .responding, !state.dropsRequests, let event = buffer.popFirst() {
            switch event {
            case .part(let part):
                if case .body(let body) = part { bufferedBytes -= body.readableBytes }
                deliveredRead = true
                deliver(part, context: context)
            case .error(let error):
                deliverError(error, context: context)
            case .inputClosed:
                deliverInputClosed(context: context)
            }
        }
        if deliveredRead { context.fireChannelReadComplete() }
        if readPending, !isOverBound, !state.dropsRequests {
            readPending = false
            context.read()
        }
    }

    private func perform(_ action: HTTPPipeliningState.CloseAction, context: ChannelHandlerContext) {
        switch action {
        case .none, .closeAfterWrite:
            break
        case .close:
            // Responses still on their way out — not flushed yet, or flushed but not written
            // (a client that reads slowly leaves them in NIO's write buffer, and a close now
            // would drop them): an empty body part (the encoder writes it as an empty buffer,
            // in order) tells when everything before it is written; the connection closes then.
            // Closing is rare (a client's FIN, a drain), so the write costs nothing per request.
            endUnflushed = false
            unwrittenEnds += 1
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer())))).whenComplete { _ in
                bound.value.0.endWritten(context: bound.value.1)
            }
        }
    }
}
