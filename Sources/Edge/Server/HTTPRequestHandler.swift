import NIOCore
import NIOHTTP1

/// One HTTP/1.1 request at a time (``NIOHTTP1/HTTPServerPipelineHandler`` below
/// it holds back pipelined requests): head checks, route match, body
/// collection under the route's limit, the upstream call, and the response.
///
/// Everything runs on the connection's event loop; the upstream future is
/// completed on that same loop, so no thread hop and no `Task` on the request path.
final class HTTPRequestHandler<Transcoder: RequestTranscoding>: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private struct InFlight {
        var route: MatchedRoute<Transcoder.Route>
        var keepAlive: Bool
        var requestID: String
        var metadata: [(name: String, value: String)]
        var timeout: TimeAmount
        var bodyLimit: Int
        var body: ByteBuffer?
        var received: Int
        var started: NIODeadline
    }

    private enum State {
        case idle
        /// Head accepted; collecting the body.
        case receiving(InFlight)
        /// Request complete; waiting for the upstream answer.
        case calling(InFlight)
        /// The request was already answered (an error); its remaining parts are dropped.
        case discarding
        case closed
    }

    private let shared: RequestContext<Transcoder>
    private let timeouts: ConnectionTimeoutHandler
    private var state: State = .idle
    private var context: ChannelHandlerContext?
    private var requestIDs = RequestIDGenerator()
    private var metrics: MetricsCache?
    /// Armed while an accepted request's body is incomplete at the end of a read.
    private var bodyTimer: Scheduled<Void>?

    init(shared: RequestContext<Transcoder>, timeouts: ConnectionTimeoutHandler) {
        self.shared = shared
        self.timeouts = timeouts
        self.metrics = shared.metrics.map { MetricsCache(metrics: $0) }
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        cancelBodyTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            receivedHead(head, context: context)
        case .body(let part):
            receivedBody(part, context: context)
        case .end:
            receivedEnd(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parseError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        let edgeError: EdgeError
        switch parseError {
        case .headerOverflow:
            edgeError = .headersTooLarge(limit: shared.limits.maxHeaderBytes)
        case .invalidContentLength, .unexpectedContentLength:
            edgeError = .badRequest("invalid or conflicting Content-Length / Transfer-Encoding", close: true)
        default:
            edgeError = .badRequest("malformed HTTP request (\(parseError))", close: true)
        }
        switch state {
        case .idle, .receiving:
            state = .discarding
            cancelBodyTimer()
            timeouts.headReceived()
            respond(error: edgeError, requestID: requestIDs.make(), keepAlive: false, label: "unmatched", started: .now(), context: context)
        case .calling, .discarding, .closed:
            context.close(promise: nil)
        }
    }

    // MARK: - Request parts

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        timeouts.headReceived()
        let started = NIODeadline.now()
        let requestID = head.headers.first(name: "x-request-id").flatMap { RequestIDGenerator.isAcceptable($0) ? $0 : nil } ?? requestIDs.make()
        let keepAlive = head.isKeepAlive

        let framing: HeadValidator.Framing
        switch HeadValidator.validate(head, limits: shared.limits) {
        case .success(let value): framing = value
        case .failure(let error):
            return reject(error, hasBody: true, requestID: requestID, keepAlive: keepAlive, label: "unmatched", started: started, context: context)
        }

        let route: MatchedRoute<Transcoder.Route>
        switch shared.transcoder.match(method: head.method, uri: head.uri) {
        case .success(let value): route = value
        case .failure(let error):
            return reject(error, hasBody: framing.hasBody, requestID: requestID, keepAlive: keepAlive, label: "unmatched", started: started, context: context)
        }

        if let error = checkBody(head, framing: framing, route: route) {
            return reject(error, hasBody: framing.hasBody, requestID: requestID, keepAlive: keepAlive, label: route.label, started: started, context: context)
        }

        let timeout: TimeAmount
        switch DeadlineResolver.timeout(headers: head.headers, defaultTimeout: route.settings.timeout, maxTimeout: route.settings.maxTimeout) {
        case .success(let value): timeout = value
        case .failure(let error):
            return reject(error, hasBody: framing.hasBody, requestID: requestID, keepAlive: keepAlive, label: route.label, started: started, context: context)
        }

        let metadata: [(name: String, value: String)]
        switch RequestMetadata.build(headers: head.headers, policy: shared.metadataPolicy, remoteIP: context.channel.remoteAddress?.ipAddress, requestID: requestID) {
        case .success(let value): metadata = value
        case .failure(let error):
            return reject(error, hasBody: framing.hasBody, requestID: requestID, keepAlive: keepAlive, label: route.label, started: started, context: context)
        }

        if framing.hasBody, head.headers.contains(name: "expect") {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }

        state = .receiving(InFlight(
            route: route, keepAlive: keepAlive, requestID: requestID, metadata: metadata, timeout: timeout,
            bodyLimit: route.settings.maxBodyBytes, body: nil, received: 0, started: started))
    }

    /// The body-read deadline is armed only when a read ends with the body still incomplete:
    /// a request that arrives in one read (the common case) schedules no timer.
    func channelReadComplete(context: ChannelHandlerContext) {
        if case .receiving = state, bodyTimer == nil {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            bodyTimer = context.eventLoop.scheduleTask(in: shared.limits.bodyReadTimeout) { bound.value.bodyTimedOut() }
        }
        context.fireChannelReadComplete()
    }

    private func bodyTimedOut() {
        bodyTimer = nil
        guard case .receiving(let request) = state, let context else { return }
        state = .discarding
        respond(
            error: .bodyReadTimeout(), requestID: request.requestID, keepAlive: false, label: request.route.label,
            started: request.started, context: context)
    }

    private func cancelBodyTimer() {
        bodyTimer?.cancel()
        bodyTimer = nil
    }

    /// Refusals that depend on the head and the route: `Expect`, body presence, media type, declared length.
    private func checkBody(_ head: HTTPRequestHead, framing: HeadValidator.Framing, route: MatchedRoute<Transcoder.Route>) -> EdgeError? {
        let expectations = head.headers[canonicalForm: "expect"]
        if let expectation = expectations.first(where: { $0.lowercased() != "100-continue" }) {
            return .expectationFailed(String(expectation))
        }
        guard framing.hasBody else { return nil }
        guard route.acceptsBody else {
            return .badRequest("\(head.method.rawValue) \(route.label) takes no request body", close: true)
        }
        let contentType = head.headers.first(name: "content-type")
        guard let contentType, JSONMediaType.isJSON(contentType) else {
            return .unsupportedMediaType(contentType)
        }
        if let length = framing.contentLength, length > route.settings.maxBodyBytes {
            return .bodyTooLarge(limit: route.settings.maxBodyBytes)
        }
        return nil
    }

    private func receivedBody(_ part: ByteBuffer, context: ChannelHandlerContext) {
        guard case .receiving(var request) = state else { return }
        request.received += part.readableBytes
        if request.received > request.bodyLimit {
            state = .discarding
            cancelBodyTimer()
            return respond(
                error: .bodyTooLarge(limit: request.bodyLimit), requestID: request.requestID, keepAlive: false,
                label: request.route.label, started: request.started, context: context)
        }
        if request.body == nil {
            request.body = part
        } else {
            request.body!.writeImmutableBuffer(part)
        }
        state = .receiving(request)
    }

    private func receivedEnd(context: ChannelHandlerContext) {
        switch state {
        case .receiving(let request):
            cancelBodyTimer()
            state = .calling(request)
            call(request, context: context)
        case .discarding:
            state = .idle
        case .idle, .calling, .closed:
            break
        }
    }

    // MARK: - Upstream

    private func call(_ request: InFlight, context: ChannelHandlerContext) {
        let message: ByteBuffer
        switch shared.transcoder.prepare(request.route, body: request.body) {
        case .success(let value): message = value
        case .failure(let error):
            state = .idle
            return respond(error: error, requestID: request.requestID, keepAlive: request.keepAlive, label: request.route.label, started: request.started, context: context)
        }
        let upstreamRequest = UpstreamRequest(
            path: request.route.grpcPath, service: request.route.service, metadata: request.metadata,
            message: message, deadline: .now() + request.timeout)
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        shared.upstream.call(upstreamRequest, policy: request.route.callPolicy, on: eventLoop)
            .hop(to: eventLoop)
            .whenComplete { result in
                let response: UpstreamResponse
                switch result {
                case .success(let value): response = value
                case .failure(let error):
                    response = UpstreamResponse(status: GRPCStatus(code: .unavailable, message: "upstream call failed: \(error)"))
                }
                bound.value.upstreamCompleted(response)
            }
    }

    private func upstreamCompleted(_ response: UpstreamResponse) {
        guard case .calling(let request) = state, let context else { return }
        state = .idle
        var headers = HTTPHeaders()
        ResponseMetadata.apply(headers: response.headers, trailers: response.trailers, to: &headers)

        guard response.status.code == .ok else {
            shared.metrics?.recordUpstreamError(route: request.route.label, code: response.status.code)
            return respond(
                error: EdgeError(status: response.status), extraHeaders: headers, requestID: request.requestID,
                keepAlive: request.keepAlive, label: request.route.label, started: request.started, context: context)
        }
        switch shared.transcoder.render(response.message, for: request.route) {
        case .success(let body):
            write(
                status: .ok, headers: headers, body: body, requestID: request.requestID, keepAlive: request.keepAlive,
                label: request.route.label, started: request.started, context: context)
        case .failure(let error):
            respond(
                error: error, extraHeaders: headers, requestID: request.requestID, keepAlive: request.keepAlive,
                label: request.route.label, started: request.started, context: context)
        }
    }

    // MARK: - Responses

    private func reject(_ error: EdgeError, hasBody: Bool, requestID: String, keepAlive: Bool, label: String, started: NIODeadline, context: ChannelHandlerContext) {
        state = .discarding
        // An unread body cannot be skipped safely: the connection ends with this response.
        respond(error: error, requestID: requestID, keepAlive: keepAlive && !hasBody, label: label, started: started, context: context)
    }

    private func respond(
        error: EdgeError, extraHeaders: HTTPHeaders = HTTPHeaders(), requestID: String, keepAlive: Bool, label: String,
        started: NIODeadline, context: ChannelHandlerContext
    ) {
        var headers = extraHeaders
        ErrorResponse.headers(for: error, into: &headers)
        let body = StatusBody.render(error, detailsRenderer: shared.detailsRenderer, allocator: context.channel.allocator)
        write(
            status: error.httpStatus, headers: headers, body: body, requestID: requestID,
            keepAlive: keepAlive && !error.closeConnection, label: label, started: started, context: context)
    }

    private func write(
        status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, requestID: String, keepAlive: Bool,
        label: String, started: NIODeadline, context: ChannelHandlerContext
    ) {
        var headers = headers
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "x-request-id", value: requestID)
        if !keepAlive { headers.add(name: "connection", value: "close") }

        metrics?.recordRequest(route: label, status: status.code, duration: .now() - started)
        if keepAlive { timeouts.responseCompleted() }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
