import Edge
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import XCTest
import EdgeConfig
import EdgeCore
import EdgeUpstream

/// The WebSocket endpoint over real sockets, with a fake transcoder (the
/// "protobuf message" is the JSON itself) and a scripted streaming upstream.
final class WebSocketServerTests: XCTestCase {
    func testBidiIsFullDuplexAndClientCloseEndsWithOK() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat?room=7")
        XCTAssertEqual(client.status, 101)
        XCTAssertNotNil(client.header("sec-websocket-accept"))
        for index in 1...3 {
            client.sendText(#"{"text":"m\#(index)"}"#)
            // The answer to each message arrives before the next is sent: both directions are live.
            XCTAssertEqual(try client.readFrame().text, #"{"echo":{"text":"m\#(index)"},"query":"room=7"}"#)
        }
        client.sendClose()
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 1000)
        XCTAssertEqual(close.closeReason, "")
        XCTAssertTrue(client.waitForClose())
        let call = try XCTUnwrap(server.upstream.calls.first)
        XCTAssertEqual(call.path, "/test.Chat/Chat")
        XCTAssertEqual(call.messages.count, 3)
        XCTAssertTrue(call.finishedSending)
        XCTAssertFalse(call.cancelled)
        try await server.stop()
    }

    func testFramesSentWithTheHandshakeAreNotLost() async throws {
        let server = try await WebSocketTestServer()
        let early = TestWebSocketClient.frame(opcode: TestWebSocketClient.Opcode.text, payload: Array(#"{"text":"early"}"#.utf8))
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat", framesWithRequest: early + early)
        XCTAssertEqual(client.status, 101)
        XCTAssertEqual(try client.readFrame().text, #"{"echo":{"text":"early"},"query":""}"#)
        XCTAssertEqual(try client.readFrame().text, #"{"echo":{"text":"early"},"query":""}"#)
        client.sendClose()
        XCTAssertEqual(try client.readFrame().closeCode, 1000)
        try await server.stop()
    }

    func testUpgradedConnectionOutlivesTheHTTPTimeouts() async throws {
        let limits = HTTPLimits(idleTimeout: .milliseconds(100), headerReadTimeout: .milliseconds(100), bodyReadTimeout: .milliseconds(100))
        let server = try await WebSocketTestServer(limits: limits)
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        XCTAssertEqual(client.status, 101)
        try await Task.sleep(for: .milliseconds(400))
        client.sendText(#"{"text":"still here"}"#)
        XCTAssertEqual(try client.readFrame().text, #"{"echo":{"text":"still here"},"query":""}"#)
        client.sendClose()
        XCTAssertEqual(try client.readFrame().closeCode, 1000)
        try await server.stop()
    }

    func testServerStreamingRouteWithoutBodyStreamsFromThePathAlone() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/ticks/3")
        XCTAssertEqual(client.status, 101)
        let (messages, close) = try client.readUntilClose()
        XCTAssertEqual(messages.map(\.text), [#"{"tick":1}"#, #"{"tick":2}"#, #"{"tick":3}"#])
        XCTAssertEqual(close.closeCode, 1000)
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        try await server.stop()
    }

    func testBadJSONClosesWithInvalidArgumentNamingTheFieldAndCancels() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        client.sendText(#"{"text":"ok"}"#)
        _ = try client.readFrame()
        client.sendText(#"{"pages":"many"}"#)
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 4003)
        let status = try XCTUnwrap(close.json, close.closeReason)
        XCTAssertEqual(status["code"] as? Int, 3)
        XCTAssertTrue((status["message"] as? String ?? "").contains("book.pages"), close.closeReason)
        try await waitUntil { server.upstream.calls.first?.cancelled == true }
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        try await server.stop()
    }

    func testBackendErrorWithDetailsSendsAnErrorFrameThenTheClose() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        client.sendText(#"{"text":"fail"}"#)
        let (messages, close) = try client.readUntilClose()
        XCTAssertEqual(messages.count, 1)
        let error = try XCTUnwrap(messages.first?.json?["error"] as? [String: Any], messages.first?.text ?? "")
        XCTAssertEqual(error["code"] as? Int, 3)
        XCTAssertEqual(error["message"] as? String, "text must not be fail")
        XCTAssertEqual((error["details"] as? [[String: Any]])?.first?["@type"] as? String, "type.googleapis.com/google.rpc.BadRequest")
        XCTAssertEqual(close.closeCode, 4003)
        XCTAssertEqual(close.closeReason, #"{"code":3,"message":"text must not be fail"}"#)
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        try await server.stop()
    }

    func testBinaryFrameIsRefusedWith1003() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        client.sendFrame(opcode: TestWebSocketClient.Opcode.binary, payload: [1, 2, 3])
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 1003)
        XCTAssertEqual(close.json?["code"] as? Int, 3)
        try await waitUntil { server.upstream.calls.first?.cancelled == true }
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        try await server.stop()
    }

    func testUnmaskedFrameIsAProtocolError() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        client.sendFrame(opcode: TestWebSocketClient.Opcode.text, payload: Array(#"{"text":"x"}"#.utf8), masked: false)
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 1002)
        try await waitUntil { server.upstream.calls.first?.cancelled == true }
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        try await server.stop()
    }

    func testFragmentedMessageIsReassembledAroundAPing() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        client.sendFrame(opcode: TestWebSocketClient.Opcode.text, payload: Array(#"{"text":"#.utf8), fin: false)
        client.sendFrame(opcode: TestWebSocketClient.Opcode.ping, payload: Array("hi".utf8))
        let pong = try client.readFrame()
        XCTAssertEqual(pong.opcode, TestWebSocketClient.Opcode.pong)
        XCTAssertEqual(pong.text, "hi")
        client.sendFrame(opcode: TestWebSocketClient.Opcode.continuation, payload: Array(#""jo"#.utf8), fin: false)
        client.sendFrame(opcode: TestWebSocketClient.Opcode.continuation, payload: Array(#"ined"}"#.utf8), fin: true)
        XCTAssertEqual(try client.readFrame().text, #"{"echo":{"text":"joined"},"query":""}"#)
        client.sendClose()
        XCTAssertEqual(try client.readFrame().closeCode, 1000)
        try await server.stop()
    }

    func testMessageOverTheRouteLimitClosesWith1009() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/small-chat")
        // Within the limit in each fragment, over it together.
        client.sendFrame(opcode: TestWebSocketClient.Opcode.text, payload: Array(repeating: 0x20, count: 40), fin: false)
        client.sendFrame(opcode: TestWebSocketClient.Opcode.continuation, payload: Array(repeating: 0x20, count: 40), fin: true)
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 1009)
        XCTAssertEqual(close.json?["code"] as? Int, 8)
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        // One frame over the limit: refused by the frame decoder.
        let second = try TestWebSocketClient(port: server.port, target: "/v1/small-chat")
        second.sendFrame(opcode: TestWebSocketClient.Opcode.text, payload: Array(repeating: 0x20, count: 100))
        XCTAssertEqual(try second.readFrame().closeCode, 1009)
        XCTAssertTrue(second.waitForClose())
        try await server.stop()
    }

    func testUpgradeOnUnaryOrUnknownRouteIsAnHTTPError() async throws {
        let server = try await WebSocketTestServer()
        let unary = try TestWebSocketClient(port: server.port, target: "/v1/echo")
        XCTAssertEqual(unary.status, 400)
        XCTAssertTrue(unary.body.contains(#""code":3"#), unary.body)
        XCTAssertTrue(unary.body.contains("unary"), unary.body)
        XCTAssertTrue(unary.waitForClose())
        let unknown = try TestWebSocketClient(port: server.port, target: "/v1/nothing")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertTrue(unknown.body.contains(#""code":5"#), unknown.body)
        let badVersion = try TestWebSocketClient(
            port: server.port, target: "/v1/chat", headers: [("Sec-WebSocket-Version", "8")])
        XCTAssertEqual(badVersion.status, 426)
        XCTAssertEqual(badVersion.header("sec-websocket-version"), "13")
        let longURL = try TestWebSocketClient(port: server.port, target: "/v1/chat?q=" + String(repeating: "a", count: 9000))
        XCTAssertEqual(longURL.status, 414)
        let post = try TestWebSocketClient(port: server.port, target: "/v1/chat", method: "POST")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("allow"), "GET")
        XCTAssertTrue(server.upstream.calls.isEmpty)
        try await server.stop()
    }

    func testPlainRequestsAreUnaffected() async throws {
        let server = try await WebSocketTestServer()
        let connection = try TestConnection(port: server.port)
        for _ in 0..<2 {
            connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, #"{"echo":{"a":1},"query":""}"#)
        }
        try await server.stop()
    }

    func testClientGoingAwayCancelsTheCall() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        client.sendText(#"{"text":"hello"}"#)
        _ = try client.readFrame()
        client.drop()
        try await waitUntil { server.upstream.calls.first?.cancelled == true }
        XCTAssertFalse(server.upstream.calls.first?.finishedSending ?? true)
        try await server.stop()
    }

    func testSocketIsNotReadWhileTheCallCannotTakeMore() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat")
        client.sendText(#"{"text":"block"}"#)
        _ = try client.readFrame()
        // The fake turned unwritable on "block": the next frame stays in the socket.
        XCTAssertFalse(server.upstream.writable)
        client.sendText(#"{"text":"after"}"#)
        // The event that shows the state: the frame has reached the server's socket and
        // waits there unread (after the server's loops finished whatever they were doing).
        try await waitUntil { ServerSocketQueue.unreadBytes(port: server.port).contains { $0 > 0 } }
        try await ServerSocketQueue.roundTrip(server.group)
        XCTAssertTrue(ServerSocketQueue.unreadBytes(port: server.port).contains { $0 > 0 }, "the server read the frame")
        XCTAssertEqual(server.upstream.calls.first?.messages.count, 1)
        server.upstream.setWritable(true)
        XCTAssertEqual(try client.readFrame().text, #"{"echo":{"text":"after"},"query":""}"#)
        XCTAssertEqual(server.upstream.calls.first?.messages.count, 2)
        client.sendClose()
        XCTAssertEqual(try client.readFrame().closeCode, 1000)
        XCTAssertTrue(client.waitForClose())
        try await server.stop()
    }

    func testDeadlineEndsTheStreamWithItsStatus() async throws {
        let server = try await WebSocketTestServer()
        let client = try TestWebSocketClient(port: server.port, target: "/v1/chat", headers: [("grpc-timeout", "200m")])
        XCTAssertEqual(client.status, 101)
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 4004)
        XCTAssertEqual(close.json?["code"] as? Int, 4)
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        try await server.stop()
    }
}

/// An ``EdgeServer`` over the fakes below.
private final class WebSocketTestServer {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let upstream = FakeStreamingUpstream()
    let server: EdgeServer<FakeStreamingTranscoder>
    let port: Int

    init(limits: HTTPLimits = .defaults) async throws {
        let renderer: StatusDetailsRenderer = { _ in Array(#"[{"@type":"type.googleapis.com/google.rpc.BadRequest"}]"#.utf8) }
        let context = RequestContext(transcoder: FakeStreamingTranscoder(), upstream: upstream, detailsRenderer: renderer)
        server = EdgeServer(settings: ServerSettings(host: "127.0.0.1", port: 0, limits: limits), context: context, group: group)
        port = try await server.start().port!
    }

    func stop() async throws {
        await server.shutdown()
        try await group.shutdownGracefully()
    }
}

/// Routes: `POST /v1/chat` (bidi), `POST /v1/small-chat` (bidi, 64-byte limit),
/// `GET /v1/ticks/{n}` (server streaming, no body), `POST /v1/echo` (unary).
/// A message is its JSON; a message with a `pages` key fails to transcode.
private struct FakeStreamingTranscoder: RequestTranscoding {
    private static let bidi = RouteStreaming(clientStreaming: true, serverStreaming: true)
    struct Route: Sendable {
        var query: String
        var ticks: Int
    }

    func match(method: HTTPMethod, uri: String) -> Result<MatchedRoute<Route>, EdgeError> {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0]
        let query = parts.count > 1 ? String(parts[1]) : ""
        func route(_ grpcPath: String, _ http: HTTPMethod, _ streaming: RouteStreaming, body: Bool, limit: Int? = nil, ticks: Int = 0)
            -> Result<MatchedRoute<Route>, EdgeError>
        {
            guard method == http else {
                return .failure(.methodNotAllowed(method: method.rawValue, path: path, allowed: [http.rawValue]))
            }
            var settings = RouteSettings()
            if let limit { settings.maxBodyBytes = limit }
            return .success(MatchedRoute(
                grpcPath: grpcPath, service: String(grpcPath.dropFirst().split(separator: "/")[0]), label: "\(http.rawValue) \(path)",
                acceptsBody: body, settings: settings, callPolicy: settings.callPolicy(idempotent: false), streaming: streaming,
                route: Route(query: query, ticks: ticks)))
        }
        switch path {
        case "/v1/chat": return route("/test.Chat/Chat", .POST, Self.bidi, body: true)
        case "/v1/small-chat": return route("/test.Chat/Chat", .POST, Self.bidi, body: true, limit: 64)
        case "/v1/echo": return route("/test.Echo/Echo", .POST, .unary, body: true)
        default:
            if path.hasPrefix("/v1/ticks/"), let count = Int(path.dropFirst("/v1/ticks/".count)) {
                return route("/test.Ticks/Ticks", .GET, RouteStreaming(serverStreaming: true), body: false, ticks: count)
            }
            return .failure(.routeNotFound(method: method.rawValue, path: path))
        }
    }

    func prepare(_ route: MatchedRoute<Route>, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError> {
        guard let body else { return .success(ByteBuffer(string: #"{"ticks":\#(route.route.ticks)}"#)) }
        let text = String(buffer: body)
        if text.contains("\"pages\"") {
            return .failure(.transcoding(.init(.invalidValue, path: "book.pages", "expected int32, got \"many\"")))
        }
        return .success(ByteBuffer(string: #"{"echo":\#(text),"query":"\#(route.route.query)"}"#))
    }

    func render(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<ByteBuffer, EdgeError> {
        .success(message ?? ByteBuffer(string: "{}"))
    }
}

/// A scripted streaming backend. Chat echoes each message at once; `"fail"`
/// ends the call with INVALID_ARGUMENT and details; `"block"` makes the call
/// unwritable until the test says otherwise; half-close ends it OK. Ticks sends
/// `n` messages and ends OK. A deadline ends a call with DEADLINE_EXCEEDED.
private final class FakeStreamingUpstream: UpstreamCalling, UpstreamStreaming {
    struct Call {
        var path: String
        var messages: [String] = []
        var finishedSending = false
        var cancelled = false
    }

    private let state = NIOLockedValueBox<[Call]>([])
    private let controls = NIOLockedValueBox<[FakeControl]>([])

    var calls: [Call] { state.withLockedValue { $0 } }

    func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        eventLoop.makeSucceededFuture(UpstreamResponse(status: GRPCStatus(code: .ok), message: request.message))
    }

    func openStream(
        _ head: UpstreamStreamHead, policy: CallPolicy, on eventLoop: any EventLoop, observer: any UpstreamStreamObserver
    ) -> any UpstreamStreamControl {
        let index = state.withLockedValue { calls -> Int in
            calls.append(Call(path: head.path))
            return calls.count - 1
        }
        let control = FakeControl(index: index, upstream: self, eventLoop: eventLoop, observer: observer, deadline: head.deadline)
        controls.withLockedValue { $0.append(control) }
        return control
    }

    var writable: Bool { controls.withLockedValue { $0.allSatisfy { $0.writableFlag.withLockedValue { $0 } } } }

    func setWritable(_ writable: Bool) {
        for control in controls.withLockedValue({ $0 }) {
            control.eventLoop.execute { control.setWritable(writable) }
        }
    }

    fileprivate func update(_ index: Int, _ change: (inout Call) -> Void) {
        state.withLockedValue { change(&$0[index]) }
    }

    fileprivate final class FakeControl: UpstreamStreamControl, @unchecked Sendable {
        let index: Int
        let upstream: FakeStreamingUpstream
        let eventLoop: any EventLoop
        var observer: (any UpstreamStreamObserver)?
        var isWritable: Bool { writableFlag.withLockedValue { $0 } }
        let writableFlag = NIOLockedValueBox(true)
        var sequence = 0
        var deadlineTask: Scheduled<Void>?

        init(index: Int, upstream: FakeStreamingUpstream, eventLoop: any EventLoop, observer: any UpstreamStreamObserver, deadline: NIODeadline) {
            self.index = index
            self.upstream = upstream
            self.eventLoop = eventLoop
            self.observer = observer
            deadlineTask = eventLoop.scheduleTask(deadline: deadline) { [self] in
                self.finish(GRPCStatus(code: .deadlineExceeded, message: "deadline exceeded"))
            }
        }

        func send(_ message: ByteBuffer) {
            let text = String(buffer: message)
            upstream.update(index) { $0.messages.append(text) }
            if text.hasPrefix(#"{"ticks":"#) {
                let count = Int(text.dropFirst(#"{"ticks":"#.count).dropLast()) ?? 0
                eventLoop.execute { [self] in
                    for tick in 0..<count { observer?.upstreamReceivedMessage(ByteBuffer(string: #"{"tick":\#(tick + 1)}"#)) }
                    finish(GRPCStatus(code: .ok))
                }
                return
            }
            if text.contains(#""text":"fail""#) {
                eventLoop.execute { [self] in
                    finish(GRPCStatus(code: .invalidArgument, message: "text must not be fail", details: [1, 2, 3]))
                }
                return
            }
            // Like a real call whose flow-control window this message used up: unwritable at once.
            if text.contains(#""text":"block""#) { setWritable(false) }
            eventLoop.execute { [self] in observer?.upstreamReceivedMessage(message) }
        }

        func setWritable(_ writable: Bool) {
            guard isWritable != writable else { return }
            writableFlag.withLockedValue { $0 = writable }
            observer?.upstreamWritabilityChanged(writable)
        }

        func finishSending() {
            upstream.update(index) { $0.finishedSending = true }
            eventLoop.execute { [self] in finish(GRPCStatus(code: .ok)) }
        }

        func pauseReading() {}
        func resumeReading() {}

        func cancel() {
            upstream.update(index) { $0.cancelled = true }
            deadlineTask?.cancel()
            observer = nil
        }

        private func finish(_ status: GRPCStatus) {
            deadlineTask?.cancel()
            guard let observer else { return }
            self.observer = nil
            observer.upstreamFinished(UpstreamStreamEnd(status: status))
        }
    }
}
