import NIOCore
import NIOHTTP1
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// Answers the admin endpoints; everything else is a `google.rpc.Status` 404/405.
package final class AdminHandler: ChannelInboundHandler {
    package typealias InboundIn = HTTPServerRequestPart
    package typealias OutboundOut = HTTPServerResponsePart

    private let server: AdminServer
    private var head: HTTPRequestHead?

    package init(server: AdminServer) { self.server = server }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let known = ["/healthz", "/readyz", "/admin/routes", "/admin/upstreams", "/metrics"]
        if path == "/admin/reload", let reload = server.reload {
            guard head.method == .POST else {
                return write(error: .methodNotAllowed(method: head.method.rawValue, path: path, allowed: ["POST"]), head: head, context: context)
            }
            return answerReload(reload, head: head, context: context)
        }
        guard known.contains(String(path)) else {
            return write(error: .routeNotFound(method: head.method.rawValue, path: path), head: head, context: context)
        }
        guard head.method == .GET || head.method == .HEAD else {
            return write(error: .methodNotAllowed(method: head.method.rawValue, path: path, allowed: ["GET"]), head: head, context: context)
        }
        var body = context.channel.allocator.buffer(capacity: 256)
        var status = HTTPResponseStatus.ok
        var contentType = "application/json"
        switch path {
        case "/healthz":
            body.writeStaticString(#"{"status":"ok"}"#)
        case "/readyz":
            if server.isReady {
                body.writeStaticString(#"{"status":"ready"}"#)
            } else {
                status = .serviceUnavailable
                body.writeStaticString(#"{"status":"not ready"}"#)
            }
        case "/admin/routes":
            RouteListJSON.write(server.routes, into: &body)
        case "/admin/upstreams":
            UpstreamListJSON.write(server.upstreamsStatus(), into: &body)
        default:
            contentType = "text/plain; version=0.0.4; charset=utf-8"
            body.writeBytes(server.metrics.render())
            UpstreamMetricsText.write(server.upstreamsStatus(), into: &body)
        }
        write(status: status, contentType: contentType, body: body, head: head, context: context)
    }

    /// Runs the reload off the loop, then answers on it: 200 when swapped in, 422 when refused.
    private func answerReload(_ reload: @escaping AdminServer.Reload, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: (reloaded: Bool, json: String).self)
        promise.completeWithTask { await reload() }
        promise.futureResult.whenSuccess { outcome in
            let (handler, context) = bound.value
            var body = context.channel.allocator.buffer(capacity: outcome.json.utf8.count)
            body.writeString(outcome.json)
            handler.write(status: outcome.reloaded ? .ok : .unprocessableEntity, contentType: "application/json", body: body, head: head, context: context)
        }
    }

    private func write(error: EdgeError, head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        ErrorResponse.headers(for: error, into: &headers)
        let body = StatusBody.render(error, detailsRenderer: nil, allocator: context.channel.allocator)
        write(status: error.httpStatus, contentType: "application/json", body: body, head: head, extra: headers, context: context)
    }

    private func write(
        status: HTTPResponseStatus, contentType: String, body: ByteBuffer, head: HTTPRequestHead,
        extra: HTTPHeaders = HTTPHeaders(), context: ChannelHandlerContext
    ) {
        var headers = extra
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.readableBytes))
        if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        if head.isKeepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
