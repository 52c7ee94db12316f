import DescriptorLoader
import Edge
import EdgeDemo
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest
import EdgeConfig
import EdgeCore
import EdgeUpstream

/// The HTTP side of streaming over real TCP: the real ``EdgeServer`` and
/// ``SchemaTranscoder`` over the demo schema, in front of a scripted
/// ``UpstreamStreaming`` that plays the bookstore's streaming methods and records
/// what the edge did to it (messages, half-close, pause/resume, cancel).
final class EndToEndStreamingFakeUpstreamTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var server: EdgeServer<SchemaTranscoder>!
    private var upstream: ScriptedStreamingUpstream!
    private var port = 0

    override func setUp() async throws {
        upstream = ScriptedStreamingUpstream()
        try await start(routes: """
              "GET /v1/shelves/{shelf}/books:stream":
                max_body_bytes: 1KiB
              "demo.bookstore.v1.Bookstore.CreateBooks":
                max_body_bytes: 256
            """)
    }

    override func tearDown() async throws {
        await server?.shutdown()
        try await group?.shutdownGracefully()
    }

    private func connect() throws -> StreamingSocket { try StreamingSocket(port: port) }

    // MARK: Server streaming

    func testNDJSONByDefaultOneLinePerMessage() throws {
        let (head, body, complete) = try connect().get("/v1/shelves/1/books:stream?limit=3")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "application/x-ndjson")
        XCTAssertEqual(head.header("transfer-encoding"), "chunked")
        XCTAssertTrue(complete)
        XCTAssertEqual(try ndjsonObjects(body).map { $0["title"] as? String }, ["Book 1", "Book 2", "Book 3"])
        XCTAssertTrue(body.hasSuffix("}\n"))
    }

    func testMessagesAreFlushedAsTheyArrive() throws {
        let socket = try connect()
        let head = try socket.getHead("/v1/shelves/1/books:stream?limit=3&interval=3600s")
        XCTAssertEqual(head.status, 200)
        // The backend holds the second book back: the first one must already be here.
        let first = try XCTUnwrap(try socket.readChunk())
        XCTAssertEqual(try ndjsonObjects(String(decoding: first, as: UTF8.self)).first?["title"] as? String, "Book 1")
        upstream.releaseHeld()
        let (rest, complete) = try socket.readChunkedBody()
        XCTAssertTrue(complete)
        XCTAssertEqual(try ndjsonObjects(String(decoding: rest, as: UTF8.self)).count, 2)
    }

    func testServerSentEventsWhenAccepted() throws {
        let (head, body, _) = try connect().get("/v1/shelves/1/books:stream?limit=2", headers: [("Accept", "text/event-stream")])
        XCTAssertEqual(head.header("content-type"), "text/event-stream")
        XCTAssertEqual(head.header("cache-control"), "no-cache")
        let events = sseEvents(body)
        XCTAssertEqual(events.map(\.event), [nil, nil])
        XCTAssertEqual(try jsonObjects(events.map { Substring($0.data) }).map { $0["title"] as? String }, ["Book 1", "Book 2"])
        XCTAssertTrue(body.hasPrefix("data: {"))
    }

    func testJSONArrayWhenConfigured() async throws {
        await server.shutdown()
        try await restart(routes: """
              "GET /v1/shelves/{shelf}/books:stream":
                stream_format: json_array
            """)
        for (limit, expected) in [(2, 2), (0, 0)] {
            let (head, body, _) = try connect().get("/v1/shelves/1/books:stream?limit=\(limit)")
            XCTAssertEqual(head.status, 200, body)
            XCTAssertEqual(head.header("content-type"), "application/json")
            let array = try jsonArray(body)
            XCTAssertEqual(array.count, expected, body)
        }
    }

    func testFailureBeforeTheFirstMessageIsAnHTTPError() throws {
        let (head, body, _) = try connect().get("/v1/shelves/404/books:stream")
        XCTAssertEqual(head.status, 404, body)
        XCTAssertEqual(head.header("content-type"), "application/json")
        let status = try jsonObject(body)
        XCTAssertEqual(status["code"] as? Int, 5)
        XCTAssertEqual(status["message"] as? String, "shelves/404 not found")
        XCTAssertEqual((status["details"] as? [Any])?.count, 0)
    }

    func testFailureMidStreamEndsWithAnErrorFrameInEachFormat() async throws {
        // NDJSON: a last line {"error": status}.
        var (head, body, complete) = try connect().get("/v1/shelves/1/books:stream?limit=5&failAfter=2")
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(complete, "the chunked body is properly terminated")
        let lines = try ndjsonObjects(body)
        XCTAssertEqual(lines.count, 3)
        let error = try XCTUnwrap(lines.last?["error"] as? [String: Any], body)
        XCTAssertEqual(error["code"] as? Int, 10)
        XCTAssertEqual(error["message"] as? String, "failed after 2")
        XCTAssertNotNil(error["details"] as? [Any])

        // SSE: event: error.
        (head, body, complete) = try connect().get("/v1/shelves/1/books:stream?limit=5&failAfter=1", headers: [("Accept", "text/event-stream")])
        let events = sseEvents(body)
        XCTAssertEqual(events.map(\.event), [nil, "error"], body)
        let sseError = try jsonObject(events[1].data)
        XCTAssertEqual(sseError["code"] as? Int, 10)

        // JSON array: a last element {"error": status}, and the array is closed.
        await server.shutdown()
        try await restart(routes: """
              "GET /v1/shelves/{shelf}/books:stream":
                stream_format: json_array
            """)
        (head, body, complete) = try connect().get("/v1/shelves/1/books:stream?limit=5&failAfter=2")
        let array = try jsonArray(body)
        XCTAssertEqual(array.count, 3)
        XCTAssertEqual((array[2]["error"] as? [String: Any])?["code"] as? Int, 10)
    }

    func testClientDisconnectCancelsTheUpstreamCall() throws {
        let socket = try connect()
        XCTAssertEqual(try socket.getHead("/v1/shelves/1/books:stream?limit=3&interval=3600s").status, 200)
        _ = try socket.readChunk()
        socket.abort()
        XCTAssertTrue(upstream.waitUntil { $0.cancelled == 1 }, "cancel() reaches the upstream")
    }

    func testSlowClientPausesReadingFromTheBackend() throws {
        let socket = try StreamingSocket(port: port, receiveBufferBytes: 64 << 10)
        let start = Date()
        XCTAssertEqual(try socket.getHead("/v1/download?bytes=\(32 << 20)&chunkSize=65536").status, 200)
        // The client reads nothing more: the edge must pause the backend.
        XCTAssertTrue(upstream.waitUntil { $0.paused }, "pauseReading() once the client stops reading")
        let producedWhilePaused = upstream.state.withLockedValue { $0.producedBytes }
        XCTAssertLessThan(producedWhilePaused, 8 << 20, "the edge buffers a bounded amount")
        print("download: \(producedWhilePaused) bytes produced before the backend was paused")
        // Now read it all: resumeReading() lets the rest through.
        var lines = 0
        while let chunk = try socket.readChunk() {
            lines += chunk.withUnsafeBytes { countNewlines($0) }
        }
        XCTAssertEqual(lines, 512)
        print("download: 32 MiB in \(Date().timeIntervalSince(start)) s")
        XCTAssertGreaterThan(upstream.state.withLockedValue { $0.resumes }, 0)
    }

    // MARK: Client streaming

    func testNDJSONRequestBodySplitAcrossChunks() throws {
        let socket = try connect()
        socket.sendHead("POST", "/v1/shelves/3/books:batchCreate", headers: [("Content-Type", "application/x-ndjson")], chunked: true)
        socket.sendChunk(#"{"title":"One","#)
        socket.sendChunk("\"author\":\"A \\\"q\\\" }\"}\n\n{\"ti")
        socket.sendChunk(#"tle":"Two"}"#)
        socket.sendChunk("")
        let (head, body, _) = try socket.readResponse()
        XCTAssertEqual(head.status, 200, body)
        XCTAssertEqual(head.header("content-type"), "application/json")
        let response = try jsonObject(body)
        XCTAssertEqual(response["createdCount"] as? Int, 2)
        let titles = upstream.state.withLockedValue { $0.createdTitles }
        XCTAssertEqual(titles, ["One", "Two"])
        // The path binding applies to every message.
        XCTAssertEqual(upstream.state.withLockedValue { $0.createdShelves }, [3, 3])
    }

    func testJSONArrayRequestBody() throws {
        let response = try EndToEndClient.send(
            port: port, "POST", "/v1/shelves/2/books:batchCreate", body: #" [{"title":"A"}, {"title":"B"}, {"title":"C"}]"#)
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(try response.json()["createdCount"] as? Int, 3)
    }

    func testBadElementIs400NamingItsIndex() throws {
        var response = try EndToEndClient.send(
            port: port, "POST", "/v1/shelves/2/books:batchCreate", body: "{\"title\":\"A\"}\n{\"pageCount\":\"many\"}\n",
            contentType: "application/x-ndjson")
        XCTAssertEqual(response.status, 400, response.body)
        var status = try response.json()
        XCTAssertEqual(status["code"] as? Int, 3)
        let message = try XCTUnwrap(status["message"] as? String)
        XCTAssertTrue(message.hasPrefix("request stream element 1: "), message)
        XCTAssertTrue(message.contains("pageCount"), message)
        XCTAssertTrue(upstream.waitUntil { $0.cancelled == 1 }, "the upstream call is cancelled")

        response = try EndToEndClient.send(
            port: port, "POST", "/v1/shelves/2/books:batchCreate", body: #"[{"title":"A"},{"title":"B"},{"title":"C"#)
        XCTAssertEqual(response.status, 400, response.body)
        status = try response.json()
        XCTAssertEqual(status["message"] as? String, "request stream element 2: truncated: the body ended inside the element")

        response = try EndToEndClient.send(
            port: port, "POST", "/v1/shelves/2/books:batchCreate", body: #"{"title":"A"}"#, contentType: "text/plain")
        XCTAssertEqual(response.status, 415, response.body)

        // The route's max_body_bytes (256) bounds each element, not the stream.
        let big = String(repeating: "x", count: 300)
        response = try EndToEndClient.send(
            port: port, "POST", "/v1/shelves/2/books:batchCreate", body: "{\"title\":\"\(big)\"}\n", contentType: "application/x-ndjson")
        XCTAssertEqual(response.status, 400, response.body)
        XCTAssertEqual(try response.json()["message"] as? String, "request stream element 0: larger than 256 bytes")
        let many = Array(repeating: #"{"title":"\#(String(repeating: "y", count: 100))"}"#, count: 20).joined(separator: "\n")
        response = try EndToEndClient.send(
            port: port, "POST", "/v1/shelves/2/books:batchCreate", body: many, contentType: "application/x-ndjson")
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(try response.json()["createdCount"] as? Int, 20)
    }

    func testRequestBackpressureStopsReadingTheClientBody() throws {
        upstream.state.withLockedValue { $0.writableAfterMessages = 2 }
        let socket = try connect()
        socket.sendHead("POST", "/v1/shelves/3/books:batchCreate", headers: [("Content-Type", "application/x-ndjson")], chunked: true)
        // Write until the kernel refuses more: the edge has stopped reading.
        let line = Array(#"{"title":"\#(String(repeating: "z", count: 200))"}"#.utf8) + [10]
        let chunk = Array((String(line.count * 64, radix: 16) + "\r\n").utf8) + Array(repeating: line, count: 64).flatMap { $0 } + [13, 10]
        var sentLines = 0
        var pending: [UInt8] = []
        var refusals = 0
        while refusals < 50, sentLines < 1 << 20 {
            if pending.isEmpty { pending = chunk }
            let count = socket.sendWithoutBlocking(pending)
            if count == pending.count {
                pending = []
                sentLines += 64
                refusals = 0
            } else {
                pending.removeFirst(count)
                refusals += 1
                usleep(2000)
            }
        }
        XCTAssertLessThan(sentLines, 1 << 20, "the edge stopped reading the body")
        let received = upstream.state.withLockedValue { $0.createdTitles.count }
        XCTAssertLessThan(received, sentLines, "messages held back while the upstream is not writable")
        // The upstream becomes writable: the rest of the body flows.
        upstream.makeWritable()
        if !pending.isEmpty {
            socket.send(pending)
            sentLines += 64
        }
        socket.sendChunk("")
        let (head, body, _) = try socket.readResponse()
        XCTAssertEqual(head.status, 200, body)
        let count = try jsonObject(body)["createdCount"] as? Int
        XCTAssertEqual(count, sentLines)
    }

    // MARK: Bidirectional

    func testBidiHalfDuplexAnswersEachMessageAsItArrives() throws {
        let socket = try connect()
        socket.sendHead("POST", "/v1/books:chat", headers: [("Content-Type", "application/x-ndjson")], chunked: true)
        socket.sendChunk("{\"text\":\"hello\"}\n")
        XCTAssertEqual(try socket.readHead().status, 200)
        let first = try XCTUnwrap(try socket.readChunk())
        XCTAssertEqual(try ndjsonObjects(String(decoding: first, as: UTF8.self)).first?["text"] as? String, "echo: hello")
        socket.sendChunk("{\"text\":\"again\"}\n")
        let second = try XCTUnwrap(try socket.readChunk())
        XCTAssertEqual(try ndjsonObjects(String(decoding: second, as: UTF8.self)).first?["sequence"] as? Int, 2)
        socket.sendChunk("")
        let (_, complete) = try socket.readChunkedBody()
        XCTAssertTrue(complete)
    }

    func testBidiFailureMidStreamEndsWithErrorLine() throws {
        let socket = try connect()
        socket.sendHead("POST", "/v1/books:chat", headers: [("Content-Type", "application/x-ndjson")], chunked: true)
        socket.sendChunk("{\"text\":\"hello\"}\n{\"text\":\"fail\"}\n")
        let (head, body, complete) = try socket.readResponse()
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(complete)
        let lines = try ndjsonObjects(body)
        XCTAssertEqual(lines.first?["text"] as? String, "echo: hello")
        XCTAssertEqual((lines.last?["error"] as? [String: Any])?["code"] as? Int, 3)
        XCTAssertEqual(head.header("connection"), nil)
        XCTAssertTrue(socket.waitForClose(), "the request body was not finished: the connection closes")
    }

    // MARK: HttpBody

    func testRawUploadInChunksBecomesOneHttpBodyPerChunk() throws {
        let socket = try connect()
        socket.sendHead("POST", "/v1/covers", headers: [("Content-Type", "image/png")], chunked: true)
        socket.sendChunk([0x89, 0x50, 0x4E, 0x47])
        XCTAssertTrue(upstream.waitUntil { $0.uploadChunks == 1 }, "each chunk is sent as it arrives")
        socket.sendChunk([1, 2, 3])
        socket.sendChunk("")
        let (head, body, _) = try socket.readResponse()
        XCTAssertEqual(head.status, 200, body)
        let response = try jsonObject(body)
        XCTAssertEqual(response["bytes"] as? String, "7")
        XCTAssertEqual(response["chunks"] as? Int, 2)
        XCTAssertEqual(response["contentType"] as? String, "image/png")
    }

    func testRawResponseUsesTheBackendsContentType() throws {
        let (head, body, _) = try connect().get("/v1/covers/sample.txt")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "text/plain")
        XCTAssertEqual(body, "cover sample.txt")
    }

    // MARK: Without a streaming upstream

    func testStreamingRoutesAnswer501WhenTheUpstreamDoesNotStream() async throws {
        await server.shutdown()
        try await group.shutdownGracefully()
        let config = try ConfigLoader.parse(yaml: """
            descriptors:
              sources: ["\(EndToEndFixture.protosetPath)"]
            clusters:
              - name: unary
                endpoints: ["127.0.0.1:9"]
                services: [demo.bookstore.v1]
            """).get()
        let transcoder = try SchemaTranscoder(schema: try EndToEndFixture.cliSchema(), config: config)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // FakeUpstream makes unary calls only.
        let context = RequestContext(transcoder: transcoder, upstream: FakeUpstream())
        XCTAssertNil(context.streamingUpstream)
        server = EdgeServer(settings: ServerSettings(host: "127.0.0.1", port: 0), context: context, group: group)
        port = try await server.start().port!

        let (head, body, _) = try connect().get("/v1/shelves/1/books:stream")
        XCTAssertEqual(head.status, 501, body)
        let status = try jsonObject(body)
        XCTAssertEqual(status["code"] as? Int, 12)

        let chat = try EndToEndClient.send(port: port, "POST", "/v1/books:chat", body: #"{"text":"x"}"#)
        XCTAssertEqual(chat.status, 501, chat.body)
        XCTAssertEqual(chat.header("connection"), "close")
    }

    // MARK: Configuration

    func testStreamFormatRouteOption() throws {
        let base = """
            descriptors:
              sources: ["\(EndToEndFixture.protosetPath)"]
            clusters:
              - name: demo
                endpoints: ["127.0.0.1:9"]
                services: [demo.bookstore.v1]

            """
        let config = try ConfigLoader.parse(yaml: base + """
            defaults:
              stream_format: json_array
            routes:
              "GET /v1/download":
                stream_format: ndjson
            """).get()
        XCTAssertEqual(config.defaults.streamFormat, .jsonArray)
        let policies = RoutePolicies(config: config)
        XCTAssertEqual(policies.defaults.streamFormat, .jsonArray)
        XCTAssertEqual(policies.settings(method: "demo.bookstore.v1.Bookstore.Download", httpMethod: "GET", pattern: "/v1/download").streamFormat, .ndjson)
        XCTAssertEqual(RoutePolicies(config: EdgeConfig()).defaults.streamFormat, .ndjson)

        switch ConfigLoader.parse(yaml: base + "defaults:\n  stream_format: xml\n") {
        case .success: XCTFail("stream_format: xml must be refused")
        case .failure(let error): XCTAssertTrue("\(error)".contains("expected ndjson or json_array, got 'xml'"), "\(error)")
        }
    }

    // MARK: Helpers

    /// Starts the edge (a new group and server) with `routes` (entries indented by two
    /// spaces) in front of ``upstream``.
    private func start(routes: String) async throws {
        let yaml = """
            listen:
              host: 127.0.0.1
              port: 0
            descriptors:
              sources: ["\(EndToEndFixture.protosetPath)"]
            clusters:
              - name: scripted
                endpoints: ["127.0.0.1:9"]
                services: [demo.bookstore.v1]
            routes:
            \(routes)
            """
        let config = try ConfigLoader.parse(yaml: yaml).get()
        let schema = try EndToEndFixture.cliSchema()
        let transcoder = try SchemaTranscoder(schema: schema, config: config)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let context = RequestContext(
            transcoder: transcoder, upstream: upstream, limits: config.listen.server.limits,
            detailsRenderer: transcoder.detailsRenderer(schema: schema))
        server = EdgeServer(settings: config.listen.server, context: context, group: group)
        port = try await server.start().port!
    }

    /// A new edge with `routes` after the test shut the server down.
    private func restart(routes: String) async throws {
        try await group.shutdownGracefully()
        try await start(routes: routes)
    }
}

// MARK: - The scripted backend

/// Plays ListBooksStream (`limit`, `interval` ≥ 1 h holds the rest until
/// ``releaseHeld()``, `fail_after`, shelf 404 → NOT_FOUND), Download (respects
/// pause), CreateBooks, ChatBooks, UploadCover and GetCover, on the wire.
final class ScriptedStreamingUpstream: UpstreamCalling, UpstreamStreaming, @unchecked Sendable {
    struct Recorded {
        var cancelled = 0
        var paused = false
        var resumes = 0
        var producedBytes = 0
        var createdTitles: [String] = []
        var createdShelves: [Int64] = []
        var uploadChunks = 0
        /// Request writability turns false after this many messages (until ``makeWritable()``).
        var writableAfterMessages: Int?
    }

    let state = NIOLockedValueBox(Recorded())
    private let streams = NIOLockedValueBox<[ScriptedStream]>([])

    func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        guard request.path.hasSuffix("/GetCover") else {
            return eventLoop.makeSucceededFuture(UpstreamResponse(status: GRPCStatus(code: .unimplemented, message: "scripted")))
        }
        let name = Wire.string(request.message, field: 1)
        var message = ByteBuffer()
        Wire.writeString("text/plain", field: 1, into: &message)
        Wire.writeString("cover \(name)", field: 2, into: &message)
        return eventLoop.makeSucceededFuture(UpstreamResponse(status: GRPCStatus(code: .ok), message: message))
    }

    func openStream(
        _ head: UpstreamStreamHead, policy: CallPolicy, on eventLoop: any EventLoop, observer: any UpstreamStreamObserver
    ) -> any UpstreamStreamControl {
        let stream = ScriptedStream(method: String(head.path.split(separator: "/").last ?? ""), eventLoop: eventLoop, observer: observer, owner: self)
        streams.withLockedValue { $0.append(stream) }
        return stream
    }

    /// Sends the held ListBooksStream books.
    func releaseHeld() {
        for stream in streams.withLockedValue({ $0 }) {
            stream.eventLoop.execute { stream.release() }
        }
    }

    func makeWritable() {
        state.withLockedValue { $0.writableAfterMessages = nil }
        for stream in streams.withLockedValue({ $0 }) {
            stream.eventLoop.execute { stream.writabilityRestored() }
        }
    }

    /// Polls (up to 10 s) until `condition` holds.
    func waitUntil(_ condition: (Recorded) -> Bool) -> Bool {
        for _ in 0..<1000 {
            if state.withLockedValue({ condition($0) }) { return true }
            usleep(10_000)
        }
        return false
    }
}

/// Confined to its event loop (the scripted backend hops there before touching it).
final class ScriptedStream: UpstreamStreamControl, @unchecked Sendable {
    let method: String
    let eventLoop: any EventLoop
    private var observer: (any UpstreamStreamObserver)?
    private unowned let owner: ScriptedStreamingUpstream
    private var received = 0
    private var paused = false
    private var held: [ByteBuffer] = []
    private var failAfter = 0
    private var downloadLeft = 0
    private var downloadChunk = 0
    private var uploaded = 0
    private var uploadType = ""
    private var wasUnwritable = false

    init(method: String, eventLoop: any EventLoop, observer: any UpstreamStreamObserver, owner: ScriptedStreamingUpstream) {
        self.method = method
        self.eventLoop = eventLoop
        self.observer = observer
        self.owner = owner
        observer.upstreamReceivedHeaders([("x-scripted", method)])
    }

    func send(_ message: ByteBuffer) {
        guard let observer else { return }
        received += 1
        switch method {
        case "ListBooksStream":
            let shelf = Wire.int(message, field: 1)
            if shelf == 404 {
                return finish(GRPCStatus(code: .notFound, message: "shelves/404 not found"))
            }
            let limit = Int(Wire.int(message, field: 2))
            let hold = Wire.int(Wire.message(message, field: 3), field: 1) >= 3600
            let failAfter = Int(Wire.int(message, field: 4))
            var books: [ByteBuffer] = []
            for index in 1...max(limit, 1) where limit > 0 {
                var book = ByteBuffer()
                Wire.writeString("Book \(index)", field: 3, into: &book)
                books.append(book)
            }
            if failAfter > 0, failAfter < books.count {
                books = Array(books.prefix(failAfter))
                self.failAfter = failAfter
            }
            guard let first = books.first else { return finish(GRPCStatus(code: .ok)) }
            observer.upstreamReceivedMessage(first)
            held = Array(books.dropFirst())
            if !hold { release() }
        case "Download":
            downloadLeft = Int(Wire.int(message, field: 1))
            let size = Int(Wire.int(message, field: 2))
            downloadChunk = size == 0 ? 65536 : size
        case "CreateBooks":
            let shelf = Wire.int(message, field: 1)
            let title = Wire.string(Wire.message(message, field: 2), field: 3)
            owner.state.withLockedValue {
                $0.createdTitles.append(title)
                $0.createdShelves.append(shelf)
            }
        case "ChatBooks":
            let text = Wire.string(message, field: 1)
            if text == "fail" { return finish(GRPCStatus(code: .invalidArgument, message: "chat failed")) }
            var answer = ByteBuffer()
            Wire.writeString("echo: \(text)", field: 1, into: &answer)
            Wire.writeVarint(UInt64(2 << 3), into: &answer)
            Wire.writeVarint(UInt64(received), into: &answer)
            observer.upstreamReceivedMessage(answer)
        case "UploadCover":
            if received == 1 { uploadType = Wire.string(message, field: 1) }
            uploaded += Wire.bytesLength(message, field: 2)
            owner.state.withLockedValue { $0.uploadChunks += 1 }
        default:
            finish(GRPCStatus(code: .unimplemented, message: method))
        }
        if let limit = owner.state.withLockedValue({ $0.writableAfterMessages }), received >= limit, !wasUnwritable {
            wasUnwritable = true
            observer.upstreamWritabilityChanged(false)
        }
    }

    func finishSending() {
        switch method {
        case "Download":
            produce()
        case "CreateBooks":
            var response = ByteBuffer()
            Wire.writeVarint(UInt64(2 << 3), into: &response)
            Wire.writeVarint(UInt64(received), into: &response)
            observer?.upstreamReceivedMessage(response)
            finish(GRPCStatus(code: .ok))
        case "ChatBooks":
            finish(GRPCStatus(code: .ok))
        case "UploadCover":
            var response = ByteBuffer()
            Wire.writeVarint(UInt64(1 << 3), into: &response)
            Wire.writeVarint(UInt64(uploaded), into: &response)
            Wire.writeVarint(UInt64(2 << 3), into: &response)
            Wire.writeVarint(UInt64(received), into: &response)
            Wire.writeString(uploadType, field: 3, into: &response)
            observer?.upstreamReceivedMessage(response)
            finish(GRPCStatus(code: .ok))
        default:
            break
        }
    }

    var isWritable: Bool {
        guard let limit = owner.state.withLockedValue({ $0.writableAfterMessages }) else { return true }
        return received < limit
    }

    func pauseReading() {
        paused = true
        owner.state.withLockedValue { $0.paused = true }
    }

    func resumeReading() {
        paused = false
        owner.state.withLockedValue { $0.resumes += 1 }
        if method == "Download" { produce() }
    }

    func cancel() {
        observer = nil
        owner.state.withLockedValue { $0.cancelled += 1 }
    }

    func release() {
        guard let observer else { return }
        for book in held { observer.upstreamReceivedMessage(book) }
        held = []
        finish(failAfter > 0 ? GRPCStatus(code: .aborted, message: "failed after \(failAfter)") : GRPCStatus(code: .ok))
    }

    func writabilityRestored() {
        guard wasUnwritable, let observer else { return }
        observer.upstreamWritabilityChanged(true)
    }

    /// Download: messages while not paused, as a backend under HTTP/2 flow control would.
    private func produce() {
        while !paused, downloadLeft > 0, let observer {
            let count = min(downloadChunk, downloadLeft)
            var chunk = ByteBuffer()
            Wire.writeVarint(UInt64(2 << 3 | 2), into: &chunk)
            Wire.writeVarint(UInt64(count), into: &chunk)
            chunk.writeRepeatingByte(0x41, count: count)
            downloadLeft -= count
            owner.state.withLockedValue { $0.producedBytes += count }
            observer.upstreamReceivedMessage(chunk)
        }
        if downloadLeft == 0 { finish(GRPCStatus(code: .ok)) }
    }

    private func finish(_ status: GRPCStatus) {
        guard let observer else { return }
        self.observer = nil
        observer.upstreamFinished(UpstreamStreamEnd(status: status, messagesReceived: 0))
    }
}

/// Just enough protobuf wire format for the scripted backend.
enum Wire {
    static func writeVarint(_ value: UInt64, into buffer: inout ByteBuffer) {
        var value = value
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    static func writeString(_ text: String, field: Int, into buffer: inout ByteBuffer) {
        writeVarint(UInt64(field << 3 | 2), into: &buffer)
        writeVarint(UInt64(text.utf8.count), into: &buffer)
        buffer.writeString(text)
    }

    private static func readVarint(_ buffer: inout ByteBuffer) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = buffer.readInteger(as: UInt8.self) {
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    /// Every (field, value) with length-delimited values as slices and varints as numbers.
    private static func fields(_ message: ByteBuffer) -> [(Int, UInt64, ByteBuffer?)] {
        var buffer = message
        var result: [(Int, UInt64, ByteBuffer?)] = []
        while buffer.readableBytes > 0, let key = readVarint(&buffer) {
            switch key & 7 {
            case 0: result.append((Int(key >> 3), readVarint(&buffer) ?? 0, nil))
            case 2:
                let length = Int(readVarint(&buffer) ?? 0)
                result.append((Int(key >> 3), 0, buffer.readSlice(length: length)))
            case 1: _ = buffer.readSlice(length: 8)
            case 5: _ = buffer.readSlice(length: 4)
            default: return result
            }
        }
        return result
    }

    static func int(_ message: ByteBuffer, field: Int) -> Int64 {
        Int64(bitPattern: fields(message).last { $0.0 == field }?.1 ?? 0)
    }

    static func message(_ message: ByteBuffer, field: Int) -> ByteBuffer {
        fields(message).last { $0.0 == field }?.2 ?? ByteBuffer()
    }

    static func string(_ message: ByteBuffer, field: Int) -> String {
        fields(message).last { $0.0 == field }?.2.map { String(buffer: $0) } ?? ""
    }

    static func bytesLength(_ message: ByteBuffer, field: Int) -> Int {
        fields(message).last { $0.0 == field }?.2?.readableBytes ?? 0
    }
}
