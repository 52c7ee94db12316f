import NIOCore
import NIOHTTP1
import EdgeTLS
import EdgeUpstream

/// Collects one HTTP/1.1 response to a key set request (bounded), then closes the
/// connection. Completes its promise exactly once: on the response's end, on an
/// error, or when the connection closes first.
package final class JWTKeySetResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<JWTKeySetFetcher.Response>
    private let maxBodyBytes: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false

    package init(promise: EventLoopPromise<JWTKeySetFetcher.Response>, maxBodyBytes: Int) {
        self.promise = promise
        self.maxBodyBytes = maxBodyBytes
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= maxBodyBytes else {
                finish(context, .failure(JWTKeySetFetcher.FetchError("the key set is larger than \(maxBodyBytes) bytes")))
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else {
                finish(context, .failure(JWTKeySetFetcher.FetchError("no response head")))
                return
            }
            finish(context, .success(JWTKeySetFetcher.Response(status: head.status, headers: head.headers, body: body)))
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(JWTKeySetFetcher.FetchError("\(error)")))
    }

    package func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(JWTKeySetFetcher.FetchError("the connection closed before the response ended")))
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<JWTKeySetFetcher.Response, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
        context.close(promise: nil)
    }
}
