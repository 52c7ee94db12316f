import NIOCore
import NIOHTTP1
import Transcoder
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// One streaming call between an HTTP/1.1 request and an ``UpstreamStreaming`` call:
/// the request body split into messages as it arrives (client streaming), the
/// response messages written and flushed as they arrive (server streaming), with
/// backpressure both ways. Lives on the connection's event loop; owned by its
/// ``HTTPRequestHandler`` until the response is complete.
///
/// The response head waits for the first message (or the end): a call that fails
/// before any message gets an ordinary error response with its HTTP status; one
/// that fails later ends with the format's error frame (see ``StreamingResponseFormat``).
package final class StreamingExchange<Transcoder: RequestTranscoding>: UpstreamStreamObserver {
    /// What the request body is.
    package enum Input {
        /// One message, sent when the exchange opened (server streaming only).
        case single
        /// JSON messages: NDJSON lines or array elements.
        case json(JSONStreamSplitter)
        /// `google.api.HttpBody` chunks, each sent as it arrives, with the request's content type.
        case raw(contentType: String)
    }

    /// What the response is.
    package enum Output {
        /// One message, answered like a unary call (client streaming only).
        case single
        case stream(StreamingResponseFormat)
    }

    private let handler: HTTPRequestHandler<Transcoder>
    private let context: ChannelHandlerContext
    private let transcoder: Transcoder
    private let detailsRenderer: StatusDetailsRenderer?
    package let route: MatchedRoute<Transcoder.Route>
    /// The route's policies' decisions: response headers, and the observers at the end.
    package let admission: RequestAdmission<Transcoder.Route>
    package let requestID: String
    package let started: NIODeadline
    package private(set) var keepAlive: Bool
    /// An HTTP/1.0 client cannot read chunked bodies: its streamed response goes out as
    /// HTTP/1.0 without framing and ends when the connection closes.
    private let closeDelimited: Bool
    private var input: Input
    private let output: Output
    private var control: (any UpstreamStreamControl)?

    /// The client's body has ended (or there was none to stream).
    package private(set) var requestEnded = false
    /// The response head went out (streamed responses only).
    private var responseStarted = false
    /// The response is complete or abandoned: later events are ignored.
    package private(set) var done = false
    private var messages = 0
    private var headers: [(name: String, value: String)] = []
    /// The one response message of a client-streaming call.
    private var single: ByteBuffer?
    /// Response reading from the backend was paused because the client is slow.
    private var readingPaused = false
    /// The request messages sent (the index of the next JSON element).
    private var sent = 0
    /// Request body bytes read (the handler sets the unary body's size for server streams).
    package var bytesIn = 0
    /// Response body bytes written.
    package private(set) var bytesOut = 0
    /// The upstream call's summary, once it ended.
    package private(set) var upstreamSummary: UpstreamCallSummary?

    package init(
        handler: HTTPRequestHandler<Transcoder>, context: ChannelHandlerContext, shared: RequestContext<Transcoder>,
        route: MatchedRoute<Transcoder.Route>, admission: RequestAdmission<Transcoder.Route>, requestID: String, keepAlive: Bool,
        started: NIODeadline,
        input: Input, output: Output, requestVersion: HTTPVersion = .http1_1
    ) {
        self.handler = handler
        self.context = context
        self.transcoder = shared.transcoder
        self.detailsRenderer = shared.detailsRenderer
        self.route = route
        self.admission = admission
        self.requestID = requestID
        self.closeDelimited = requestVersion.major == 1 && requestVersion.minor == 0
        self.keepAlive = keepAlive && !closeDelimited
        self.started = started
        self.input = input
        self.output = output
    }

    /// Opens the upstream call; with `message`, sends it as the only request message.
    package func start(upstream: any UpstreamStreaming, metadata: [(name: String, value: String)], timeout: TimeAmount, message: ByteBuffer?) {
        let head = UpstreamStreamHead(
            path: route.grpcPath, service: route.service, metadata: metadata, deadline: .now() + timeout, attemptObserver: admission.trace)
        let control = upstream.openStream(head, policy: route.callPolicy, on: context.eventLoop, observer: self)
        guard !done else { return }
        self.control = control
        if let message {
            requestEnded = true
            control.send(message)
            control.finishSending()
        }
    }

    // MARK: - Request body (client streaming)

    package func receivedBody(_ part: ByteBuffer) {
        bytesIn += part.readableBytes
        guard !done, let control else { return }
        switch input {
        case .single:
            return
        case .raw(let contentType):
            guard part.readableBytes > 0 else { return }
            switch transcoder.prepareRaw(route, contentType: contentType, data: part) {
            case .success(let message):
                sent += 1
                control.send(message)
            case .failure(let error):
                return failRequest(error)
            }
        case .json(var splitter):
            // The splitter is a value: take it out of `input` while it runs so it is not copied.
            input = .single
            var failure: EdgeError?
            do {
                try part.withUnsafeReadableBytes { bytes in
                    try splitter.feed(bytes) { element in try self.sendElement(element) }
                }
            } catch let error as JSONStreamSplitter.Failure {
                failure = EdgeError(code: .invalidArgument, message: error.description)
            } catch let error as EdgeError {
                failure = error
            } catch {
                failure = EdgeError(code: .internal, message: "\(error)")
            }
            input = .json(splitter)
            if let failure { return failRequest(failure) }
        }
        if !control.isWritable { handler.setReadPaused(true) }
    }

    package func receivedEnd() {
        guard !done, let control else {
            requestEnded = true
            return
        }
        if case .json(var splitter) = input {
            input = .single
            do {
                try splitter.finish { element in try self.sendElement(element) }
            } catch let error as JSONStreamSplitter.Failure {
                return failRequest(EdgeError(code: .invalidArgument, message: error.description))
            } catch let error as EdgeError {
                return failRequest(error)
            } catch {
                return failRequest(EdgeError(code: .internal, message: "\(error)"))
            }
        }
        requestEnded = true
        control.finishSending()
        handler.setReadPaused(false)
    }

    /// Sends one JSON element; `sent` is its index, as the splitter counts them.
    private func sendElement(_ element: UnsafeRawBufferPointer) throws {
        let index = sent
        switch transcoder.prepareElement(route, json: element) {
        case .success(let message):
            sent += 1
            control?.send(message)
        case .failure(let error):
            var error = error
            error.message = "request stream element \(index): \(error.message)"
            throw error
        }
    }

    /// A request message could not be made: the call is abandoned and the client told.
    private func failRequest(_ error: EdgeError) {
        control?.cancel()
        finish(with: error, headers: [], trailers: [])
    }

    // MARK: - Downstream events

    /// The client's channel became writable (or not).
    package func writabilityChanged(isWritable: Bool) {
        guard !done, let control else { return }
        if isWritable, readingPaused {
            readingPaused = false
            control.resumeReading()
        }
    }

    /// The client went away: the upstream call is cancelled.
    package func channelClosed() {
        guard !done else { return }
        done = true
        control?.cancel()
        control = nil
    }

    // MARK: - UpstreamStreamObserver

    package func upstreamReceivedHeaders(_ headers: [(name: String, value: String)]) {
        self.headers = headers
    }

    package func upstreamReceivedMessage(_ message: ByteBuffer) {
        guard !done else { return }
        switch output {
        case .single:
            single = message
        case .stream(let format):
            writeMessage(message, format: format)
        }
    }

    package func upstreamFinished(_ end: UpstreamStreamEnd) {
        guard !done else { return }
        upstreamSummary = end.summary
        if headers.isEmpty { headers = end.headers }
        if end.status.code != .ok {
            return finish(with: EdgeError(status: end.status), headers: headers, trailers: end.trailers)
        }
        switch output {
        case .single:
            var response = UpstreamResponse(status: end.status, headers: headers, trailers: end.trailers, message: single)
            response.summary = end.summary
            // Answered before the client finished its body: the rest is not read, the connection closes.
            if !requestEnded { keepAlive = false }
            done = true
            control = nil
            handler.exchangeCompleted(self, response: response)
        case .stream(let format):
            if !responseStarted {
                startResponse(format: format, contentType: format.contentType ?? "application/octet-stream", trailers: end.trailers)
            }
            var buffer = context.channel.allocator.buffer(capacity: 4)
            format.writeEnd(messages: messages, into: &buffer)
            bytesOut += buffer.readableBytes
            if buffer.readableBytes > 0 { context.write(handler.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
            endResponse(status: .ok, grpcCode: .ok)
        }
    }

    package func upstreamWritabilityChanged(_ isWritable: Bool) {
        guard !done else { return }
        if isWritable { handler.setReadPaused(false) }
    }

    // MARK: - Response

    private func writeMessage(_ message: ByteBuffer, format: StreamingResponseFormat) {
        let body: ByteBuffer
        let contentType: String
        if format == .raw {
            switch transcoder.renderRaw(message, for: route) {
            case .success(let raw):
                body = raw.data
                contentType = ResponseHeaderValue.rawContentType(raw.contentType)
            case .failure(let error):
                control?.cancel()
                return finish(with: error, headers: headers, trailers: [])
            }
        } else {
            switch transcoder.render(message, for: route) {
            case .success(let json):
                body = json
                contentType = format.contentType ?? "application/json"
            case .failure(let error):
                control?.cancel()
                return finish(with: error, headers: headers, trailers: [])
            }
        }
        if !responseStarted { startResponse(format: format, contentType: contentType, trailers: []) }
        if format == .raw {
            bytesOut += body.readableBytes
            if body.readableBytes > 0 { context.write(handler.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        } else {
            var buffer = context.channel.allocator.buffer(capacity: body.readableBytes + StreamingResponseFormat.framingBytes)
            format.writeMessage(body, index: messages, into: &buffer)
            bytesOut += buffer.readableBytes
            context.write(handler.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        messages += 1
        context.flush()
        if !context.channel.isWritable, !readingPaused, let control {
            readingPaused = true
            control.pauseReading()
        }
    }

    private func startResponse(format: StreamingResponseFormat, contentType: String, trailers: [(name: String, value: String)]) {
        responseStarted = true
        var http = HTTPHeaders()
        ResponseMetadata.apply(headers: headers, trailers: trailers, to: &http)
        if format == .eventStream { http.add(name: "cache-control", value: "no-cache") }
        let head = ResponseHead.make(
            status: .ok, version: closeDelimited ? .http1_0 : .http1_1, headers: http, policyHeaders: admission.policyHeaders,
            contentType: contentType, requestID: requestID, keepAlive: keepAlive)
        context.write(handler.wrapOutboundOut(.head(head)), promise: nil)
    }

    /// The call failed (or a request message was refused): an error response if
    /// nothing was sent yet, else the format's error frame.
    private func finish(with error: EdgeError, headers: [(name: String, value: String)], trailers: [(name: String, value: String)]) {
        guard !done else { return }
        if !requestEnded { keepAlive = false }
        guard responseStarted, case .stream(let format) = output else {
            done = true
            control = nil
            var http = HTTPHeaders()
            ResponseMetadata.apply(headers: headers, trailers: trailers, to: &http)
            handler.exchangeFailed(self, error: error, headers: http)
            return
        }
        guard format.canReportFailure else {
            // A raw body has no way to carry an error: cut the connection so the
            // client sees a truncated chunked body, never a complete-looking one.
            done = true
            control = nil
            handler.exchangeAborted(self, status: .ok, grpcCode: error.code)
            return
        }
        let status = StatusBody.render(error, detailsRenderer: detailsRenderer, allocator: context.channel.allocator)
        var buffer = context.channel.allocator.buffer(capacity: status.readableBytes + 32)
        format.writeFailure(status, messages: messages, into: &buffer)
        bytesOut += buffer.readableBytes
        context.write(handler.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        // The head said 200; the failure is in the stream (and in the observers' gRPC code).
        endResponse(status: .ok, grpcCode: error.code)
    }

    private func endResponse(status: HTTPResponseStatus, grpcCode: GRPCStatusCode) {
        done = true
        control = nil
        if !requestEnded { keepAlive = false }
        handler.exchangeStreamEnded(self, status: status, grpcCode: grpcCode)
    }

    /// Messages each way so far.
    package var streamSummary: StreamSummary { StreamSummary(messagesIn: sent, messagesOut: messages) }

    /// Hands what this exchange read, wrote and called to the handler's observers.
    package func noteFacts(_ facts: inout ExchangeFacts) {
        facts.bytesIn = bytesIn
        facts.bytesOut = bytesOut
        facts.upstream = upstreamSummary
        facts.stream = streamSummary
    }
}
