import NIOCore
import NIOHTTP2
import EdgeTLS

/// Sits behind `NIOHTTP2Handler` on a connection's root channel and reports what the
/// connection object needs: GOAWAY (seen before NIO closes the streams it drops), PINGs
/// (counted; NIO answers them itself), errors and the end of the connection.
package final class UpstreamConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTP2Frame
    package typealias OutboundOut = HTTP2Frame

    private let connection: UpstreamConnection
    private let connectionWindowSize: Int

    package init(connection: UpstreamConnection, connectionWindowSize: Int) {
        self.connection = connection
        self.connectionWindowSize = connectionWindowSize
    }

    package func channelActive(context: ChannelHandlerContext) {
        Self.raiseConnectionWindow(to: self.connectionWindowSize, context: context)
        context.fireChannelActive()
    }

    /// The connection window starts at 65535 whatever SETTINGS say; raising it at once means
    /// a large response never waits for a WINDOW_UPDATE round trip. For the handler behind
    /// `NIOHTTP2Handler` on a connection's root channel (this one or the unary one).
    package static func raiseConnectionWindow(to size: Int, context: ChannelHandlerContext) {
        let increment = size - 65535
        if increment > 0 {
            let frame = HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))
            context.writeAndFlush(NIOAny(frame), promise: nil)
        }
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        switch frame.payload {
        case .goAway(let lastStreamID, let errorCode, _):
            self.connection.receivedGoAway(lastStreamID: lastStreamID, errorCode: errorCode)
        case .ping(_, ack: false):
            self.connection.receivedPing()
        case .settings(.ack):
            self.connection.settingsAcknowledged()
        default:
            break
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        // NIOHTTP2Handler reports connection errors (flood protection, unparseable frames,
        // protocol violations) after sending GOAWAY but without closing the channel, and
        // reports errors scoped to one stream here as well. Leaving a broken connection
        // open would make its calls wait for their deadlines, so anything not known to
        // be stream-scoped closes the connection: in-flight calls fail with UNAVAILABLE.
        if Self.isStreamScoped(error) {
            self.connection.recordError(error)
        } else {
            self.connection.connectionFailed(error)
            context.close(promise: nil)
        }
    }

    package static func isStreamScoped(_ error: Error) -> Bool {
        error is NIOHTTP2Errors.StreamError || error is NIOHTTP2Errors.StreamClosed || error is NIOHTTP2Errors.NoSuchStream
    }

    package func channelInactive(context: ChannelHandlerContext) {
        self.connection.channelClosed()
        context.fireChannelInactive()
    }
}
