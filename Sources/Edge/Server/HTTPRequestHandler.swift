import NIOCore
import NIOHTTP1
import Transcoder
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// One HTTP/1.1 request at a time (``HTTPPipeliningHandler`` below
/// it holds back pipelined requests): head checks, route match, body
/// collection under the route's limit, the upstream call, and the response.
///
/// Everything runs on the connection's event loop; the upstream call completes on
/// that same loop, so no thread hop and no `Task` on the request path.
///
/// Streaming routes (and server-streaming ones once their body is in) hand the
/// request to a ``StreamingExchange``; while the upstream cannot take more request
/// messages this handler holds back `read()`, so the client's body stops being read.
package final class HTTPRequestHandler<Transcoder: RequestTranscoding>: ChannelDuplexHandler, PolicyWaitTarget {
    package typealias InboundIn = HTTPServerRequestPart
    package typealias OutboundIn = HTTPServerResponsePart
    package typealias OutboundOut = HTTPServerResponsePart

    private struct InFlight {
        var route: MatchedRoute<Transcoder.Route>
        /// What the route's policies decided (response headers, metadata); tells the observers the end.
        var admission: RequestAdmission<Transcoder.Route>
        var keepAlive: Bool
        var requestID: String
        var metadata: [(name: String, value: String)]
        var timeout: TimeAmount
        var bodyLimit: Int
        var body: ByteBuffer?
        var received: Int
        var started: NIODeadline
        /// Raw (`google.api.HttpBody`) request routes only: the request's `Content-Type`.
        var contentType: String?
        /// Server-streaming routes only: the client's `Accept` header.
        var accept: String?
        /// Streaming routes only: the request's HTTP version (1.0 clients get unframed streams).
        var version: HTTPVersion = .http1_1
    }

    /// A head whose policies wait for something asynchronous (reads are held back for a body;
    /// the parts already read wait in ``heldParts``).
    private struct Admitting {
        var admission: RequestAdmission<Transcoder.Route>
        var head: HTTPRequestHead
        var framing: HeadValidator.Framing
        var requestID: String
        var keepAlive: Bool
        var started: NIODeadline
    }

    private enum State {
        case idle
        /// Head read; its policies wait for an asynchronous answer.
        case admitting(Admitting)
        /// Head accepted; collecting the body.
        case receiving(InFlight)
        /// Request complete; waiting for the upstream answer.
        case calling(InFlight)
        /// A streaming call (client streaming from the head on; server streaming once the body is in).
        case streaming(StreamingExchange<Transcoder>)
        /// The request was already answered (an error); its remaining parts are dropped.
        case discarding
        case closed
    }

    private let shared: RequestContext<Transcoder>
    private let timeouts: ConnectionTimeoutHandler
    private let flushBatch: ResponseFlushBatch
    private var state: State = .idle
    private var context: ChannelHandlerContext?
    private var requestIDs = RequestIDGenerator()
    /// The server's own observers (metrics), which see every exchange.
    private let serverObservers: [any ExchangeObserver]
    /// What the exchange being answered read and called, for its observers (set just
    /// before its response is written; everything happens on this loop).
    private var facts = ExchangeFacts()
    /// The peer's address as text (for `x-forwarded-for`), formatted once per connection.
    private var cachedRemoteIP: String??
    private var cachedConnection: ConnectionInfo?
    /// Armed while an accepted request's body is incomplete at the end of a read.
    private var bodyTimer: Scheduled<Void>?
    /// `read()` is held back: the upstream cannot take more request messages.
    private var readPaused = false
    private var readPending = false
    /// The body parts read while the head's policies wait (outside `state`, which then stays
    /// as it is: no copy of the admitting request per part).
    private var heldParts: [HTTPServerRequestPart] = []
    /// The request's end was read while its policies waited (the usual case of a request without a body).
    private var heldEnd = false

    package init(shared: RequestContext<Transcoder>, timeouts: ConnectionTimeoutHandler, flushBatch: ResponseFlushBatch) {
        self.shared = shared
        self.timeouts = timeouts
        self.flushBatch = flushBatch
        self.serverObservers = shared.metrics.map { [$0] } ?? []
    }

    package func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    package func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    @_specialize(where Transcoder == ReloadingTranscoder)
    package func channelInactive(context: ChannelHandlerContext) {
        // An exchange still in progress ends here for its observers: the client went away.
        switch state {
        case .admitting(let pending):
            clientClosed(pending.admission, label: pending.admission.label, started: pending.started, bytesIn: 0)
        case .receiving(let request), .calling(let request):
            clientClosed(request.admission, label: request.route.label, started: request.started, bytesIn: request.received)
        case .streaming(let exchange):
            exchange.channelClosed()
            facts.stream = exchange.streamSummary
            facts.upstream = exchange.upstreamSummary
            clientClosed(exchange.admission, label: exchange.route.label, started: exchange.started, bytesIn: exchange.bytesIn)
        case .idle, .discarding, .closed:
            break
        }
        state = .closed
        cancelBodyTimer()
        context.fireChannelInactive()
    }

    @_specialize(where Transcoder == ReloadingTranscoder)
    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .admitting = state {
            if case .end = part { heldEnd = true } else { heldParts.append(part) }
            return
        }
        switch part {
        case .head(let head):
            receivedHead(head, context: context)
        case .body(let part):
            receivedBody(part, context: context)
        case .end:
            receivedEnd(context: context)
        }
    }

    /// The client's FIN (the connection allows half-closure, see ``HTTPPipeliningHandler``):
    /// unary answers still go out, but a streaming call is not left running for a client
    /// that went away — the connection closes and the call is cancelled, as without half-closure.
    @_specialize(where Transcoder == ReloadingTranscoder)
    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .streaming = state, event as? ChannelEvent == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
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
        case .idle:
            state = .discarding
            timeouts.headReceived()
            let requestID = requestIDs.make()
            let head = HTTPRequestHead(version: .http1_1, method: .RAW(value: "-"), uri: "-")
            respond(
                error: edgeError, requestID: requestID, keepAlive: false, label: "unmatched", started: .now(),
                admission: unrouted(head, edgeError, requestID: requestID, context: context), context: context)
        case .receiving(let request):
            state = .discarding
            cancelBodyTimer()
            facts.bytesIn = request.received
            respond(
                error: edgeError, requestID: request.requestID, keepAlive: false, label: request.route.label, started: request.started,
                admission: request.admission, context: context)
        case .admitting:
            // The body is broken while the policies wait: the connection ends when they are done.
            context.close(promise: nil)
        case .calling, .streaming, .discarding, .closed:
            context.close(promise: nil)
        }
    }

    @_specialize(where Transcoder == ReloadingTranscoder)
    package func read(context: ChannelHandlerContext) {
        if readPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .streaming(let exchange) = state { exchange.writabilityChanged(isWritable: context.channel.isWritable) }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - Request parts

    private func remoteIP(_ context: ChannelHandlerContext) -> String? {
        if let cachedRemoteIP { return cachedRemoteIP }
        let ip = context.channel.remoteAddress?.ipAddress
        cachedRemoteIP = .some(ip)
        return ip
    }

    /// What the policies know of this connection (its peer, TLS), read at its first request.
    private func connectionInfo(_ context: ChannelHandlerContext) -> ConnectionInfo {
        if let cachedConnection { return cachedConnection }
        let info = ConnectionInfo(channel: context.channel, scheme: shared.metadataPolicy.scheme)
        cachedConnection = info
        return info
    }

    /// The admission of a request refused before routing (a malformed head): observers only.
    private func unrouted(
        _ head: HTTPRequestHead, _ refusal: EdgeError, requestID: String, context: ChannelHandlerContext
    ) -> RequestAdmission<Transcoder.Route> {
        RequestAdmission(
            unrouted: head, refusal: refusal, transcoder: shared.transcoder, connection: self.connectionInfo(context),
            requestID: requestID, observers: serverObservers)
    }

    /// The client closed the connection before its exchange was answered.
    private func clientClosed(_ admission: RequestAdmission<Transcoder.Route>, label: String, started: NIODeadline, bytesIn: Int) {
        facts.bytesIn = bytesIn
        var outcome = ExchangeOutcome(
            status: ExchangeOutcome.clientClosedStatus, grpcCode: .cancelled, started: started, finished: .now(), label: label)
        facts.fill(&outcome)
        admission.completed(outcome)
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        timeouts.headReceived()
        let started = NIODeadline.now()
        let requestID = RequestIDGenerator.fromClient(head.headers) ?? requestIDs.make()
        let keepAlive = head.isKeepAlive

        let framing: HeadValidator.Framing
        switch HeadValidator.validate(head, limits: shared.limits) {
        case .success(let value): framing = value
        case .failure(let error):
            return reject(
                error, hasBody: true, requestID: requestID, keepAlive: keepAlive, label: "unmatched", started: started,
                admission: unrouted(head, error, requestID: requestID, context: context), context: context)
        }

        let admission: RequestAdmission<Transcoder.Route>
        if head.method == .GET, let endpoint = shared.transcoder.openAPIAnswer(uri: head.uri) {
            // The document and its page pass their policies as a route does (`.document` below).
            admission = RequestAdmission(
                document: head, endpoint: endpoint, connection: self.connectionInfo(context), requestID: requestID,
                observers: serverObservers)
        } else {
            admission = RequestAdmission(
                head: head, transcoder: shared.transcoder, connection: self.connectionInfo(context), requestID: requestID,
                observers: serverObservers)
        }
        let outcome = admission.start()
        let pending = Admitting(
            admission: admission, head: head, framing: framing, requestID: requestID, keepAlive: keepAlive, started: started)
        carryOut(outcome, pending, context: context)
    }

    /// Acts on the admission's outcome: wait (reads held back), refuse, answer, or go on with the route.
    private func carryOut(_ outcome: RequestAdmission<Transcoder.Route>.Outcome, _ pending: Admitting, context: ChannelHandlerContext) {
        switch outcome {
        case .waiting(let wait):
            state = .admitting(pending)
            // Reads are held back only for a body (not to take it in before the policies have
            // decided). Without one, all that can come is this request's end, and the pipelining
            // handler holds back the next request: keeping the read interest spares two
            // `epoll_ctl` per request that waits on a policy (a global rate limit, a key set).
            if pending.framing.hasBody { setReadPaused(true) }
            wait.notify(self, on: context.eventLoop)
        case .refused(let error):
            reject(
                error, hasBody: pending.framing.hasBody, requestID: pending.requestID, keepAlive: pending.keepAlive,
                label: pending.admission.label, started: pending.started, admission: pending.admission, context: context)
        case .answered(let status):
            state = .discarding
            let keepAlive = pending.keepAlive && !pending.framing.hasBody
            write(
                status: status, headers: HTTPHeaders(), body: nil, requestID: pending.requestID, keepAlive: keepAlive,
                label: pending.admission.label, started: pending.started, admission: pending.admission, context: context)
        case .document(let answer):
            state = .discarding
            write(
                status: .ok, headers: HTTPHeaders(), body: answer.body, contentType: answer.contentType, requestID: pending.requestID,
                keepAlive: pending.keepAlive && !pending.framing.hasBody, label: pending.admission.label, started: pending.started,
                admission: pending.admission, context: context)
        case .admitted(let route):
            admitted(route, pending, context: context)
        }
    }

    /// The waiting policy's answer is in (``PolicyWaitTarget``), on the connection's loop. Called
    /// through the protocol, so specialized as the channel handler's entry points are: the rest of
    /// the request (the backend call, the response) runs from here.
    @_specialize(where Transcoder == ReloadingTranscoder)
    package func policyWaitEnded(_ wait: any PolicyWait) {
        guard case .admitting(let pending) = state, let context else { return }
        let outcome = pending.admission.resume(after: wait)
        carryOut(outcome, pending, context: context)
        if case .admitting = state { return }
        setReadPaused(false)
        // The parts read while the policies waited, as if they arrived now.
        let parts = heldParts
        let ended = heldEnd
        heldParts = []
        heldEnd = false
        for part in parts {
            switch part {
            case .head: break
            case .body(let buffer): receivedBody(buffer, context: context)
            case .end: receivedEnd(context: context)
            }
        }
        if ended { receivedEnd(context: context) }
    }

    /// The policies let the request through: the route's own checks, then the body or the stream.
    private func admitted(_ route: MatchedRoute<Transcoder.Route>, _ pending: Admitting, context: ChannelHandlerContext) {
        let head = pending.head
        let framing = pending.framing
        let requestID = pending.requestID
        let keepAlive = pending.keepAlive
        let started = pending.started
        let admission = pending.admission
        func refuse(_ error: EdgeError) {
            reject(
                error, hasBody: framing.hasBody, requestID: requestID, keepAlive: keepAlive, label: route.label, started: started,
                admission: admission, context: context)
        }

        if let error = checkBody(head, framing: framing, route: route) { return refuse(error) }

        let timeout: TimeAmount
        switch DeadlineResolver.timeout(headers: head.headers, defaultTimeout: route.settings.timeout, maxTimeout: route.settings.maxTimeout) {
        case .success(let value): timeout = value
        case .failure(let error): return refuse(error)
        }

        var metadata: [(name: String, value: String)]
        switch RequestMetadata.build(
            headers: head.headers, policy: admission.chain.metadataPolicy ?? shared.metadataPolicy, remoteIP: remoteIP(context),
            requestID: requestID,
            scheme: admission.chain.addresses.forwardedProto(
                peer: cachedConnection?.remoteAddress, headers: head.headers, listenerScheme: cachedConnection?.scheme ?? shared.metadataPolicy.scheme))
        {
        case .success(let value): metadata = value
        case .failure(let error): return refuse(error)
        }
        metadata.append(contentsOf: admission.metadata)

        let streaming = route.streaming
        if streaming.isStreaming, shared.streamingUpstream == nil {
            return refuse(EdgeError(code: .unimplemented, message: "\(route.label) is a streaming method; the upstream client does not stream"))
        }

        if framing.hasBody, head.headers.contains(name: "expect") {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }

        if streaming.clientStreaming,
            let upstream = (shared.transcoder.pinnedUpstream(for: route) as (any UpstreamStreaming)?) ?? shared.streamingUpstream
        {
            return startClientStream(
                head, upstream: upstream, route: route, admission: admission, requestID: requestID, keepAlive: keepAlive,
                metadata: metadata, timeout: timeout, started: started, context: context)
        }

        var request = InFlight(
            route: route, admission: admission, keepAlive: keepAlive, requestID: requestID, metadata: metadata, timeout: timeout,
            bodyLimit: route.settings.maxBodyBytes, body: nil, received: 0, started: started)
        if !streaming.isPlain {
            if streaming.rawRequest { request.contentType = head.headers.first(name: "content-type") }
            if streaming.serverStreaming { request.accept = head.headers.first(name: "accept") }
            request.version = head.version
        }
        state = .receiving(request)
    }

    /// The body-read deadline is armed only when a read ends with the body still incomplete:
    /// a request that arrives in one read (the common case) schedules no timer.
    @_specialize(where Transcoder == ReloadingTranscoder)
    package func channelReadComplete(context: ChannelHandlerContext) {
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
        facts.bytesIn = request.received
        respond(
            error: .bodyReadTimeout(), requestID: request.requestID, keepAlive: false, label: request.route.label,
            started: request.started, admission: request.admission, context: context)
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
        // A raw (google.api.HttpBody) body may be of any type; a client stream may also be NDJSON.
        if !route.streaming.rawRequest {
            let contentType = head.headers.first(name: "content-type")
            guard let contentType, JSONMediaType.isJSON(contentType) || (route.streaming.clientStreaming && JSONMediaType.isNDJSON(contentType)) else {
                return .unsupportedMediaType(contentType)
            }
        }
        // A client stream's limit is per message (its body is not collected).
        if let length = framing.contentLength, length > route.settings.maxBodyBytes, !route.streaming.clientStreaming {
            return .bodyTooLarge(limit: route.settings.maxBodyBytes)
        }
        return nil
    }

    private func receivedBody(_ part: ByteBuffer, context: ChannelHandlerContext) {
        if case .streaming(let exchange) = state { return exchange.receivedBody(part) }
        guard case .receiving(var request) = state else { return }
        request.received += part.readableBytes
        if request.received > request.bodyLimit {
            state = .discarding
            cancelBodyTimer()
            facts.bytesIn = request.received
            return respond(
                error: .bodyTooLarge(limit: request.bodyLimit), requestID: request.requestID, keepAlive: false,
                label: request.route.label, started: request.started, admission: request.admission, context: context)
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
            if request.route.streaming.serverStreaming,
                let upstream = (shared.transcoder.pinnedUpstream(for: request.route) as (any UpstreamStreaming)?) ?? shared.streamingUpstream
            {
                return startServerStream(request, upstream: upstream, context: context)
            }
            state = .calling(request)
            call(request, context: context)
        case .streaming(let exchange):
            exchange.receivedEnd()
        case .discarding:
            state = .idle
        case .idle, .admitting, .calling, .closed:
            break
        }
    }

    // MARK: - Upstream

    /// The upstream message of a buffered request, or nil once the request's binding or
    /// transcoding error has been answered.
    private func preparedMessage(_ request: InFlight, context: ChannelHandlerContext) -> ByteBuffer? {
        switch prepare(request) {
        case .success(let message):
            return message
        case .failure(let error):
            state = .idle
            facts.bytesIn = request.received
            respond(
                error: error, requestID: request.requestID, keepAlive: request.keepAlive, label: request.route.label,
                started: request.started, admission: request.admission, context: context)
            return nil
        }
    }

    private func call(_ request: InFlight, context: ChannelHandlerContext) {
        guard let message = preparedMessage(request, context: context) else { return }
        let upstreamRequest = UpstreamRequest(
            path: request.route.grpcPath, service: request.route.service, metadata: request.metadata,
            message: message, deadline: .now() + request.timeout, attemptObserver: request.admission.trace)
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        // The completion variant: no promise or callback list per call; it runs on this
        // loop (possibly before `call` returns, which `upstreamCompleted` allows: the
        // state is already `.calling`).
        // The pool of the configuration the route was matched on (hot reload), else the server's.
        let upstream: any UpstreamCalling = shared.transcoder.pinnedUpstream(for: request.route) ?? shared.upstream
        upstream.call(upstreamRequest, policy: request.route.callPolicy, on: eventLoop) { response in
            bound.value.upstreamCompleted(response)
        }
    }

    /// The request message: the JSON body and the bindings, or a raw body as `google.api.HttpBody`.
    private func prepare(_ request: InFlight) -> Result<ByteBuffer, EdgeError> {
        if request.route.streaming.rawRequest {
            return shared.transcoder.prepareRaw(
                request.route, contentType: request.contentType ?? "", data: request.body ?? ByteBuffer())
        }
        return shared.transcoder.prepare(request.route, body: request.body)
    }

    private func upstreamCompleted(_ response: UpstreamResponse) {
        guard case .calling(let request) = state, let context else { return }
        state = .idle
        facts.bytesIn = request.received
        deliver(
            response, route: request.route, requestID: request.requestID, keepAlive: request.keepAlive,
            started: request.started, admission: request.admission, context: context)
    }

    /// Answers a call that returned (at most) one message: its JSON, its raw body, or its error.
    private func deliver(
        _ response: UpstreamResponse, route: MatchedRoute<Transcoder.Route>, requestID: String, keepAlive: Bool,
        started: NIODeadline, admission: RequestAdmission<Transcoder.Route>, context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders()
        ResponseMetadata.apply(headers: response.headers, trailers: response.trailers, to: &headers)
        facts.upstream = response.summary
        facts.grpcCode = response.status.code

        guard response.status.code == .ok else {
            return respond(
                error: EdgeError(status: response.status), extraHeaders: headers, requestID: requestID,
                keepAlive: keepAlive, label: route.label, started: started, admission: admission, context: context)
        }
        if route.streaming.rawResponse {
            switch shared.transcoder.renderRaw(response.message, for: route) {
            case .success(let raw):
                write(
                    status: .ok, headers: headers, body: raw.data, contentType: ResponseHeaderValue.rawContentType(raw.contentType),
                    requestID: requestID, keepAlive: keepAlive, label: route.label, started: started, admission: admission, context: context)
            case .failure(let error):
                respond(
                    error: error, extraHeaders: headers, requestID: requestID, keepAlive: keepAlive, label: route.label,
                    started: started, admission: admission, context: context)
            }
            return
        }
        switch shared.transcoder.render(response.message, for: route) {
        case .success(let body):
            write(
                status: .ok, headers: headers, body: body, requestID: requestID, keepAlive: keepAlive,
                label: route.label, started: started, admission: admission, context: context)
        case .failure(let error):
            respond(
                error: error, extraHeaders: headers, requestID: requestID, keepAlive: keepAlive,
                label: route.label, started: started, admission: admission, context: context)
        }
    }

    // MARK: - Streaming

    private func startClientStream(
        _ head: HTTPRequestHead, upstream: any UpstreamStreaming, route: MatchedRoute<Transcoder.Route>,
        admission: RequestAdmission<Transcoder.Route>, requestID: String, keepAlive: Bool, metadata: [(name: String, value: String)], timeout: TimeAmount, started: NIODeadline,
        context: ChannelHandlerContext
    ) {
        let input: StreamingExchange<Transcoder>.Input
        let contentType = head.headers.first(name: "content-type")
        if route.streaming.rawRequest {
            input = .raw(contentType: contentType ?? "")
        } else {
            let framing: JSONStreamSplitter.Framing = contentType.map(JSONMediaType.isNDJSON) == true ? .lines : .automatic
            input = .json(JSONStreamSplitter(framing: framing, maxElementBytes: route.settings.maxBodyBytes))
        }
        let output: StreamingExchange<Transcoder>.Output
        if route.streaming.serverStreaming {
            output = .stream(.negotiate(
                accept: head.headers.first(name: "accept"), configured: route.settings.streamFormat, raw: route.streaming.rawResponse))
        } else {
            output = .single
        }
        let exchange = StreamingExchange(
            handler: self, context: context, shared: shared, route: route, admission: admission, requestID: requestID,
            keepAlive: keepAlive, started: started, input: input, output: output, requestVersion: head.version)
        state = .streaming(exchange)
        exchange.start(upstream: upstream, metadata: metadata, timeout: timeout, message: nil)
    }

    private func startServerStream(_ request: InFlight, upstream: any UpstreamStreaming, context: ChannelHandlerContext) {
        guard let message = preparedMessage(request, context: context) else { return }
        let format = StreamingResponseFormat.negotiate(
            accept: request.accept, configured: request.route.settings.streamFormat, raw: request.route.streaming.rawResponse)
        let exchange = StreamingExchange(
            handler: self, context: context, shared: shared, route: request.route, admission: request.admission,
            requestID: request.requestID, keepAlive: request.keepAlive, started: request.started, input: .single, output: .stream(format),
            requestVersion: request.version)
        exchange.bytesIn = request.received
        state = .streaming(exchange)
        exchange.start(upstream: upstream, metadata: request.metadata, timeout: request.timeout, message: message)
    }

    /// Holds back (or lets through again) `read()` while the upstream cannot take more request messages.
    package func setReadPaused(_ paused: Bool) {
        guard paused != readPaused else { return }
        readPaused = paused
        if !paused, readPending, let context {
            readPending = false
            context.read()
        }
    }

    /// A client-streaming call returned its one message (or none).
    package func exchangeCompleted(_ exchange: StreamingExchange<Transcoder>, response: UpstreamResponse) {
        guard let context = finishExchange(exchange) else { return }
        exchange.noteFacts(&facts)
        deliver(
            response, route: exchange.route, requestID: exchange.requestID, keepAlive: exchange.keepAlive,
            started: exchange.started, admission: exchange.admission, context: context)
    }

    /// A streaming call failed before its response head: an ordinary error response.
    package func exchangeFailed(_ exchange: StreamingExchange<Transcoder>, error: EdgeError, headers: HTTPHeaders) {
        guard let context = finishExchange(exchange) else { return }
        exchange.noteFacts(&facts)
        respond(
            error: error, extraHeaders: headers, requestID: exchange.requestID, keepAlive: exchange.keepAlive,
            label: exchange.route.label, started: exchange.started, admission: exchange.admission, context: context)
    }

    /// A streamed response is complete (its last frame written): ends it.
    package func exchangeStreamEnded(_ exchange: StreamingExchange<Transcoder>, status: HTTPResponseStatus, grpcCode: GRPCStatusCode) {
        guard let context = finishExchange(exchange) else { return }
        exchange.noteFacts(&facts)
        completed(status: status, label: exchange.route.label, started: exchange.started, admission: exchange.admission, grpcCode: grpcCode)
        if exchange.keepAlive {
            timeouts.responseCompleted()
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    /// A raw streamed response failed after its head: the connection is cut without the last chunk.
    package func exchangeAborted(_ exchange: StreamingExchange<Transcoder>, status: HTTPResponseStatus, grpcCode: GRPCStatusCode) {
        guard let context = finishExchange(exchange) else { return }
        exchange.noteFacts(&facts)
        completed(status: status, label: exchange.route.label, started: exchange.started, admission: exchange.admission, grpcCode: grpcCode)
        state = .discarding
        context.flush()
        context.close(promise: nil)
    }

    /// Leaves the streaming state for `exchange`: idle when the request was read to its
    /// end, else dropping the rest of it (the response then closes the connection).
    private func finishExchange(_ exchange: StreamingExchange<Transcoder>) -> ChannelHandlerContext? {
        guard case .streaming(let current) = state, current === exchange, let context else { return nil }
        state = exchange.requestEnded ? .idle : .discarding
        setReadPaused(false)
        return context
    }

    // MARK: - Responses

    private func reject(
        _ error: EdgeError, hasBody: Bool, requestID: String, keepAlive: Bool, label: String, started: NIODeadline,
        admission: RequestAdmission<Transcoder.Route>?, context: ChannelHandlerContext
    ) {
        state = .discarding
        // An unread body cannot be skipped safely: the connection ends with this response.
        respond(
            error: error, requestID: requestID, keepAlive: keepAlive && !hasBody, label: label, started: started,
            admission: admission, context: context)
    }

    private func respond(
        error: EdgeError, extraHeaders: HTTPHeaders = HTTPHeaders(), requestID: String, keepAlive: Bool, label: String,
        started: NIODeadline, admission: RequestAdmission<Transcoder.Route>?, context: ChannelHandlerContext
    ) {
        let body = StatusBody.render(error, detailsRenderer: shared.detailsRenderer, allocator: context.channel.allocator)
        let head = ResponseHead.error(
            error, headers: extraHeaders, policyHeaders: admission?.policyHeaders ?? [], bodyLength: body.readableBytes,
            requestID: requestID, keepAlive: keepAlive)
        send(
            head, body: body, keepAlive: keepAlive && !error.closeConnection, label: label, started: started, admission: admission,
            grpcCode: error.code, context: context)
    }

    /// A response with `body` (`nil`: an empty one, as a preflight's `204`, without a content type).
    private func write(
        status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer?, contentType: String = "application/json",
        requestID: String, keepAlive: Bool, label: String, started: NIODeadline, admission: RequestAdmission<Transcoder.Route>?,
        context: ChannelHandlerContext
    ) {
        let head = ResponseHead.make(
            status: status, headers: headers, policyHeaders: admission?.policyHeaders ?? [],
            contentType: body == nil ? nil : contentType, contentLength: body?.readableBytes, requestID: requestID,
            keepAlive: keepAlive)
        send(head, body: body, keepAlive: keepAlive, label: label, started: started, admission: admission, grpcCode: nil, context: context)
    }

    private func send(
        _ head: HTTPResponseHead, body: ByteBuffer?, keepAlive: Bool, label: String, started: NIODeadline,
        admission: RequestAdmission<Transcoder.Route>?, grpcCode: GRPCStatusCode?, context: ChannelHandlerContext
    ) {
        facts.bytesOut += body?.readableBytes ?? 0
        completed(status: head.status, label: label, started: started, admission: admission, grpcCode: grpcCode ?? facts.grpcCode)
        if keepAlive { timeouts.responseCompleted() }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        if keepAlive {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            flushBatch.flushSoon(context.channel)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    /// Every exchange that was answered ends here, whichever way it went: the observers see it.
    private func completed(
        status: HTTPResponseStatus, label: String, started: NIODeadline, admission: RequestAdmission<Transcoder.Route>?,
        grpcCode: GRPCStatusCode? = nil
    ) {
        guard let admission else {
            facts = ExchangeFacts()
            return
        }
        var outcome = ExchangeOutcome(status: Int(status.code), grpcCode: grpcCode, started: started, finished: .now(), label: label)
        facts.fill(&outcome)
        admission.completed(outcome)
    }
}

/// What an exchange read, wrote and called, gathered on its way to the response.
package struct ExchangeFacts {
    package var bytesIn = 0
    package var bytesOut = 0
    package var upstream: UpstreamCallSummary?
    package var grpcCode: GRPCStatusCode?
    package var stream: StreamSummary?

    /// Moves the facts into `outcome` and starts afresh for the next exchange.
    package mutating func fill(_ outcome: inout ExchangeOutcome) {
        outcome.bytesIn = bytesIn
        outcome.bytesOut = bytesOut
        outcome.upstream = upstream
        outcome.stream = stream
        self = ExchangeFacts()
    }
}
