import NIOCore
import NIOHTTP1
import NIOWebSocket
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// The HTTP handlers a WebSocket upgrade takes out of a connection's pipeline.
package struct HTTPPipelineHandlers {
    package let timeouts: ConnectionTimeoutHandler
    package let encoder: HTTPResponseEncoder
    package let decoder: ByteToMessageHandler<HTTPRequestDecoder>
    /// Between the decoder and this handler, and after it: pipelining, the request handler.
    package let inbound: [any RemovableChannelHandler]
}

/// Turns a connection's first request into a WebSocket stream when it asks for one
/// (RFC 6455 §4.2: `GET`, `Connection: upgrade`, `Upgrade: websocket`,
/// `Sec-WebSocket-Version: 13`, a `Sec-WebSocket-Key`) on a streaming route.
///
/// It sits just before ``HTTPRequestHandler``. A first request that is not a
/// WebSocket upgrade passes through and this handler leaves the pipeline, so
/// later requests on the connection cost nothing extra. (Upgrades are accepted
/// only as a connection's first request, as in NIO's own upgrade handler:
/// browsers open a fresh connection for every WebSocket.)
///
/// The route is matched as for a plain request, trying the request's `GET`
/// first and then the other methods (a bidi method is usually bound to `POST`),
/// so the path and query bind exactly as for that route. A refusal (unknown
/// route, a unary method, a bad handshake, a bad deadline or metadata) is an
/// ordinary HTTP error with the `google.rpc.Status` body, and the connection closes.
///
/// On acceptance, once the request's end is read: the HTTP handlers leave, the
/// `101 Switching Protocols` goes out, and the WebSocket frame codec and
/// ``WebSocketStreamHandler`` take over the connection.
package final class WebSocketUpgradeHandler<Transcoder: RequestTranscoding>: ChannelInboundHandler, RemovableChannelHandler, PolicyWaitTarget {
    package typealias InboundIn = HTTPServerRequestPart
    package typealias InboundOut = HTTPServerRequestPart
    package typealias OutboundOut = HTTPServerResponsePart

    private struct Accepted {
        var stream: WebSocketStreamHandler<Transcoder>.Stream
        var responseHeaders: HTTPHeaders
    }

    /// The handshake's head checks passed; the route's policies wait for an asynchronous answer.
    private struct Admitting {
        var head: HTTPRequestHead
        var requestID: String
        var admission: RequestAdmission<Transcoder.Route>
        /// The request's end arrived meanwhile.
        var ended = false
        /// A body part arrived meanwhile (an upgrade request takes none).
        var sawBody = false
    }

    private enum State {
        case awaitingHead
        case admitting(Admitting)
        /// Head accepted; the upgrade happens at the request's end.
        case accepted(Accepted)
        /// Answered with an error; the connection is closing.
        case refused
        case upgraded
    }

    /// Methods tried, in order, when the `GET` of the upgrade request matches no streaming route.
    private static var alternativeMethods: [HTTPMethod] { [.POST, .PUT, .PATCH, .DELETE] }

    /// Validates the handshake headers and computes `Sec-WebSocket-Accept`.
    private static var handshake: NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() })
    }

    private let shared: RequestContext<Transcoder>
    private let upstream: any UpstreamStreaming
    private let handlers: HTTPPipelineHandlers
    private var state: State = .awaitingHead
    private var context: ChannelHandlerContext?
    private var started = NIODeadline.uptimeNanoseconds(0)

    package init(shared: RequestContext<Transcoder>, upstream: any UpstreamStreaming, handlers: HTTPPipelineHandlers) {
        self.shared = shared
        self.upstream = upstream
        self.handlers = handlers
    }

    package func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    package func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .awaitingHead:
            guard case .head(let head) = part, Self.asksForWebSocket(head) else {
                // Not an upgrade: plain HTTP from here on, without this handler.
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            handlers.timeouts.headReceived()
            started = .now()
            var requestIDs = RequestIDGenerator()
            let requestID = RequestIDGenerator.fromClient(head.headers) ?? requestIDs.make()
            let observers: [any ExchangeObserver] = shared.metrics.map { [$0] } ?? []
            if let error = checkHandshake(head) {
                state = .refused
                let admission = RequestAdmission<Transcoder.Route>(
                    unrouted: head, refusal: error, transcoder: shared.transcoder,
                    connection: ConnectionInfo(channel: context.channel, scheme: shared.metadataPolicy.scheme), requestID: requestID,
                    observers: observers)
                return refuse(error, requestID: requestID, admission: admission, context: context)
            }
            let admission = RequestAdmission(
                head: head, target: resolveRoute(head), transcoder: shared.transcoder,
                connection: ConnectionInfo(channel: context.channel, scheme: shared.metadataPolicy.scheme), requestID: requestID,
                observers: observers)
            let outcome = admission.start()
            carryOut(outcome, Admitting(head: head, requestID: requestID, admission: admission), context: context)
        case .admitting(var admitting):
            switch part {
            case .head: break
            case .body(let body): if body.readableBytes > 0 { admitting.sawBody = true }
            case .end: admitting.ended = true
            }
            state = .admitting(admitting)
        case .accepted(let accepted):
            switch part {
            case .head:
                break
            case .body(let body):
                if body.readableBytes > 0 { refuseBody(accepted.stream.admission, requestID: accepted.stream.requestID, context: context) }
            case .end:
                state = .upgraded
                upgrade(accepted, context: context)
            }
        case .refused, .upgraded:
            break
        }
    }

    private static func asksForWebSocket(_ head: HTTPRequestHead) -> Bool {
        // `contains(name:)` first: it allocates nothing, and most first requests stop there.
        head.headers.contains(name: "upgrade") && head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
    }

    // MARK: - Handshake

    /// The checks on the head alone, before any route or policy.
    private func checkHandshake(_ head: HTTPRequestHead) -> EdgeError? {
        // The same head checks as any request (URL and header sizes, framing, host).
        if case .failure(let error) = HeadValidator.validate(head, limits: shared.limits) { return error }
        guard head.version == .http1_1 else {
            return .badRequest("a WebSocket upgrade needs HTTP/1.1", close: true)
        }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard head.method == .GET else {
            return .methodNotAllowed(method: head.method.rawValue, path: path, allowed: ["GET"])
        }
        guard head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "upgrade" }) else {
            return .badRequest("a WebSocket upgrade needs 'Connection: upgrade'", close: true)
        }
        guard head.headers[canonicalForm: "sec-websocket-version"].map({ $0.lowercased() }) == ["13"] else {
            return EdgeError(
                code: .invalidArgument, message: "unsupported Sec-WebSocket-Version; this server speaks 13",
                httpStatus: .upgradeRequired, headers: [("sec-websocket-version", "13")], closeConnection: true)
        }
        return nil
    }

    private func carryOut(_ outcome: RequestAdmission<Transcoder.Route>.Outcome, _ admitting: Admitting, context: ChannelHandlerContext) {
        switch outcome {
        case .waiting(let wait):
            state = .admitting(admitting)
            wait.notify(self, on: context.eventLoop)
        case .refused(let error):
            state = .refused
            refuse(error, requestID: admitting.requestID, admission: admitting.admission, context: context)
        case .answered(let status):
            // Only preflights are answered by policies, and an upgrade is a GET: refuse as such.
            state = .refused
            refuse(
                EdgeError(code: .invalidArgument, message: "a WebSocket upgrade cannot be answered with \(status.code)", closeConnection: true),
                requestID: admitting.requestID, admission: admitting.admission, context: context)
        case .document:
            // Only the HTTP handler asks for the edge's own answers; an upgrade never gets one.
            state = .refused
            refuse(
                EdgeError(code: .invalidArgument, message: "a WebSocket upgrade cannot be answered with a document", closeConnection: true),
                requestID: admitting.requestID, admission: admitting.admission, context: context)
        case .admitted(let route):
            switch accept(admitting.head, route: route, requestID: admitting.requestID, admission: admitting.admission, context: context) {
            case .success(let accepted):
                state = .accepted(accepted)
                if admitting.sawBody {
                    refuseBody(admitting.admission, requestID: admitting.requestID, context: context)
                } else if admitting.ended {
                    state = .upgraded
                    upgrade(accepted, context: context)
                }
            case .failure(let error):
                state = .refused
                refuse(error, requestID: admitting.requestID, admission: admitting.admission, context: context)
            }
        }
    }

    /// The waiting policy's answer is in (``PolicyWaitTarget``), on the connection's loop.
    package func policyWaitEnded(_ wait: any PolicyWait) {
        guard case .admitting(let admitting) = state, let context else { return }
        let outcome = admitting.admission.resume(after: wait)
        carryOut(outcome, admitting, context: context)
    }

    private func refuseBody(_ admission: RequestAdmission<Transcoder.Route>, requestID: String, context: ChannelHandlerContext) {
        state = .refused
        refuse(.badRequest("a WebSocket upgrade request takes no body", close: true), requestID: requestID, admission: admission, context: context)
    }

    /// The route's deadline, the metadata and the handshake answer.
    private func accept(
        _ head: HTTPRequestHead, route: MatchedRoute<Transcoder.Route>, requestID: String, admission: RequestAdmission<Transcoder.Route>,
        context: ChannelHandlerContext
    ) -> Result<Accepted, EdgeError> {
        let timeout: TimeAmount
        switch DeadlineResolver.timeout(headers: head.headers, defaultTimeout: route.settings.timeout, maxTimeout: route.settings.maxTimeout) {
        case .success(let value): timeout = value
        case .failure(let error): return .failure(error)
        }
        var metadata: [(name: String, value: String)]
        switch RequestMetadata.build(
            headers: head.headers, policy: admission.chain.metadataPolicy ?? shared.metadataPolicy,
            remoteIP: context.channel.remoteAddress?.ipAddress, requestID: requestID,
            scheme: admission.chain.addresses.forwardedProto(
                peer: context.channel.remoteAddress.flatMap(IPAddress.init(socketAddress:)), headers: head.headers,
                listenerScheme: shared.metadataPolicy.scheme))
        {
        case .success(let value): metadata = value
        case .failure(let error): return .failure(error)
        }
        metadata.append(contentsOf: admission.metadata)

        // NIO's upgrader checks the key (exactly one) and computes the accept value;
        // its futures are already complete here, so the callback runs at once.
        var handshakeHeaders: HTTPHeaders?
        Self.handshake.buildUpgradeResponse(channel: context.channel, upgradeRequest: head, initialResponseHeaders: HTTPHeaders())
            .assumeIsolated()
            .whenSuccess { handshakeHeaders = $0 }
        guard let handshakeHeaders else {
            return .failure(.badRequest("a WebSocket upgrade needs exactly one Sec-WebSocket-Key", close: true))
        }
        let responseHead = ResponseHead.make(
            status: .switchingProtocols, headers: handshakeHeaders, policyHeaders: admission.policyHeaders, requestID: requestID,
            keepAlive: true)

        let upstreamHead = UpstreamStreamHead(
            path: route.grpcPath, service: route.service, metadata: metadata, deadline: .now() + timeout,
            attemptObserver: admission.trace)
        let stream = WebSocketStreamHandler<Transcoder>.Stream(
            route: route, head: upstreamHead, transcoder: shared.transcoder, upstream: upstream,
            detailsRenderer: shared.detailsRenderer, maxMessageBytes: route.settings.maxBodyBytes,
            started: started, admission: admission, requestID: requestID)
        return .success(Accepted(stream: stream, responseHeaders: responseHead.headers))
    }

    /// The first streaming route among the request's `GET` and the other methods;
    /// else the reason none fits (a unary method: 400; nothing at all: the `GET`'s error).
    private func resolveRoute(_ head: HTTPRequestHead) -> Result<MatchedRoute<Transcoder.Route>, EdgeError> {
        let transcoder = shared.transcoder
        var firstError: EdgeError?
        var unary: MatchedRoute<Transcoder.Route>?
        for method in [head.method] + Self.alternativeMethods {
            switch transcoder.match(method: method, uri: head.uri) {
            case .success(let route):
                if route.streaming.isStreaming { return .success(route) }
                if unary == nil { unary = route }
            case .failure(let error):
                // 405 only says another method exists; that one is tried next.
                if firstError == nil || firstError?.httpStatus == .methodNotAllowed { firstError = error }
            }
        }
        if let unary {
            return .failure(.badRequest(
                "\(unary.label) is a unary method; WebSocket serves streaming methods only", close: true))
        }
        return .failure(firstError ?? .routeNotFound(method: head.method.rawValue, path: Substring(head.uri)))
    }

    private func refuse(
        _ error: EdgeError, requestID: String, admission: RequestAdmission<Transcoder.Route>?, context: ChannelHandlerContext
    ) {
        let body = StatusBody.render(error, detailsRenderer: shared.detailsRenderer, allocator: context.channel.allocator)
        var outcome = ExchangeOutcome(
            status: Int(error.httpStatus.code), grpcCode: error.code, started: started, finished: .now(), label: admission?.label ?? "unmatched")
        outcome.bytesOut = body.readableBytes
        admission?.completed(outcome)
        let head = ResponseHead.error(
            error, policyHeaders: admission?.policyHeaders ?? [], bodyLength: body.readableBytes, requestID: requestID,
            keepAlive: false)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    // MARK: - Pipeline switch

    /// HTTP handlers out, `101` out, WebSocket codec and stream handler in. The HTTP
    /// decoder goes last, once the frame decoder is in place: bytes the client sent
    /// after the handshake, already read, are forwarded to it.
    private func upgrade(_ accepted: Accepted, context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        do {
            // Half-closure served HTTP pipelining; a WebSocket client's FIN ends the connection, as before.
            try context.channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: false)
            for handler in handlers.inbound { _ = pipeline.removeHandler(handler) }
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: accepted.responseHeaders))),
                promise: nil)
            _ = pipeline.removeHandler(handlers.encoder)
            _ = pipeline.removeHandler(handlers.timeouts)
            try pipeline.addHandler(WebSocketFrameEncoder())
            try pipeline.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: min(accepted.stream.maxMessageBytes, Int(UInt32.max)))))
            try pipeline.addHandler(WebSocketStreamHandler(accepted.stream))
            pipeline.removeHandler(context: context, promise: nil)
            _ = pipeline.removeHandler(handlers.decoder)
        } catch {
            context.close(promise: nil)
        }
    }
}

// The upgrade takes these out of the pipeline.
extension HTTPRequestHandler: RemovableChannelHandler {}
extension ConnectionTimeoutHandler: RemovableChannelHandler {}
