import NIOCore
import NIOSSL

/// Ends a TLS connection as soon as neither side can send any more.
///
/// When the edge closes a connection, NIOSSL sends `close_notify` and waits up to
/// its shutdown timeout (5 s) for the client's. Most HTTP clients just close the
/// socket instead (a "ragged" EOF), and with half-closure allowed (the listener keeps
/// answering pipelined requests after a client's FIN) NIOSSL then keeps the
/// connection for the whole timeout, holding up a graceful drain. This handler sits
/// after the `NIOSSLServerHandler`: once the edge asked to close and the client's
/// input has ended (in either order), it closes the socket beneath NIOSSL.
///
/// A ragged EOF is otherwise treated as TCP's FIN: NIOSSL reports it as an
/// `uncleanShutdown` error, which would make the request handler close at once and
/// drop answers to requests sent before it; this handler drops that error and lets
/// the half-closure (`inputClosed`) through, so TLS connections end as plaintext ones
/// do. A request cut short by the EOF is still seen as incomplete by the HTTP decoder.
package final class TLSShutdownHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    private var closeRequested = false
    private var inputClosed = false

    package func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all { closeRequested = true }
        // NIOSSL writes its close_notify first.
        context.close(mode: mode, promise: promise)
        if closeRequested, inputClosed { closeSocket(context) }
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            inputClosed = true
            if closeRequested {
                closeSocket(context)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A ragged EOF: the inputClosed event that follows carries the news.
        if case NIOSSLError.uncleanShutdown = error { return }
        context.fireErrorCaught(error)
    }

    private func closeSocket(_ context: ChannelHandlerContext) {
        guard let tls = try? context.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self) else { return }
        // From the TLS handler's context, a close goes to the socket, not through NIOSSL.
        tls.close(promise: nil)
    }
}
