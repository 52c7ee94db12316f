import NIOCore
import NIOHTTP1
import EdgeTLS
import EdgeUpstream

/// Reads the answers to ``OTLPHTTPClient``'s requests on one keep-alive connection: one request at a
/// time, its promise completed at the response's end (2xx succeeds, anything else fails with the
/// status). The body (an `ExportTraceServiceResponse`, possibly a partial success) is not read.
package final class OTLPHTTPResponseHandler: ChannelInboundHandler {
    package typealias InboundIn = HTTPClientResponsePart

    private var pending: EventLoopPromise<Void>?
    private var status: Int?
    private var closeAfterResponse = false

    /// Expects the next response; the caller has written the request.
    package func expect(_ promise: EventLoopPromise<Void>) {
        precondition(pending == nil, "one OTLP request at a time")
        pending = promise
        status = nil
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            closeAfterResponse = !head.isKeepAlive
        case .body:
            break
        case .end:
            let promise = pending
            pending = nil
            if closeAfterResponse { context.close(promise: nil) }
            guard let promise else { return }
            if let status, (200..<300).contains(status) {
                promise.succeed()
            } else {
                promise.fail(OTLPExportError.status(status ?? 0))
            }
        }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        fail(OTLPExportError.connectionClosed)
        context.fireChannelInactive()
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(OTLPExportError.connectionFailed("\(error)"))
        context.close(promise: nil)
    }

    /// Fails the request in flight, if any (timeout, connection lost).
    package func fail(_ error: OTLPExportError) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
