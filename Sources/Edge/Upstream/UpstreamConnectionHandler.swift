import NIOCore
import NIOHTTP2

/// Sits behind `NIOHTTP2Handler` on a connection's root channel and reports what the
/// connection object needs: GOAWAY (seen before NIO closes the streams it drops), PINGs
/// (counted; NIO answers them itself), errors and the end of the connection.
final class UpstreamConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let connection: UpstreamConnection
    private let connectionWindowSize: Int

    init(connection: UpstreamConnection, connectionWindowSize: Int) {
        self.connection = connection
        self.connectionWindowSize = connectionWindowSize
    }

    func channelActive(context: ChannelHandlerContext) {
        // The connection window starts at 65535 whatever SETTINGS say; raise it at once so a
        // large response never waits for a WINDOW_UPDATE round trip.
        let increment = self.connectionWindowSize - 65535
        if increment > 0 {
            let frame = HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))
            context.writeAndFlush(self.wrapOutboundOut(frame), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        switch frame.payload {
        case .goAway(let lastStreamID, let errorCode, _):
            self.connection.receivedGoAway(lastStreamID: lastStreamID, errorCode: errorCode)
        case .ping(_, ack: false):
            self.connection.receivedPing()
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // NIOHTTP2Handler reports connection errors (after sending GOAWAY) without closing
        // the channel, and reports stream errors here too. A connection error closes the
        // connection at once, so no call waits on it until its deadline; after any other
        // error the connection takes no new streams and closes once its streams are done.
        if Self.isConnectionFatal(error) {
            self.connection.connectionFailed(error)
            context.close(promise: nil)
        } else {
            self.connection.streamLevelError(error)
        }
    }

    static func isConnectionFatal(_ error: Error) -> Bool {
        switch error {
        case is NIOHTTP2Errors.ExcessiveControlFrames, is NIOHTTP2Errors.ExcessiveRSTFrames,
            is NIOHTTP2Errors.ExcessiveStreamErrors, is NIOHTTP2Errors.ExcessiveEmptyDataFrames,
            is NIOHTTP2Errors.ExcessiveNumberOfGlitches, is NIOHTTP2Errors.ExcessivelyLargeHeaderBlock,
            is NIOHTTP2Errors.ExcessiveContinuationFrames, is NIOHTTP2Errors.ExcessiveOutboundFrameBuffering,
            is NIOHTTP2Errors.UnableToParseFrame, is NIOHTTP2Errors.MissingPreface:
            return true
        default:
            // TLS and socket errors: the channel closes by itself; closing again is harmless.
            return !(error is any NIOHTTP2Error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connection.channelClosed()
        context.fireChannelInactive()
    }
}
