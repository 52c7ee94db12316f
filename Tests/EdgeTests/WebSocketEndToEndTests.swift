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

/// WebSocket streams through the whole edge (schema transcoder, upstream pool over
/// HTTP/2) to the grpc-swift demo bookstore, over real TCP. The upstream pool is
/// wrapped only to count cancelled calls.
final class WebSocketEndToEndTests: XCTestCase {
    nonisolated(unsafe) private static var running: Running?
    nonisolated(unsafe) private static var startFailure = ""

    private struct Running {
        var fixture: EndToEndFixture
        var server: EdgeServer<SchemaTranscoder>
        var upstream: CancelCountingUpstream
        var port: Int
    }

    override class func setUp() {
        super.setUp()
        // The standard fixture brings up the demo service and the pool; a second
        // edge listener in front of the same pool, with the counting wrapper, serves these tests.
        do {
            running = try EndToEndFixture.blocking {
                let fixture = try await EndToEndFixture.start()
                let schema = try EndToEndFixture.cliSchema()
                let transcoder = try SchemaTranscoder(schema: schema, config: EdgeConfig())
                let upstream = CancelCountingUpstream(fixture.upstream)
                let context = RequestContext(
                    transcoder: transcoder, upstream: upstream, detailsRenderer: transcoder.detailsRenderer(schema: schema))
                let server = EdgeServer(settings: ServerSettings(host: "127.0.0.1", port: 0), context: context, group: fixture.group)
                let port = try await server.start().port!
                return Running(fixture: fixture, server: server, upstream: upstream, port: port)
            }
        } catch {
            startFailure = "the demo server and edge did not start: \(error)"
        }
    }

    override class func tearDown() {
        if let running {
            _ = try? EndToEndFixture.blocking {
                await running.server.shutdown()
                await running.fixture.shutdown()
            }
        }
        running = nil
        super.tearDown()
    }

    private func connect(_ target: String, headers: [(String, String)] = [], receiveBufferBytes: Int? = nil) throws -> TestWebSocketClient {
        let running = try XCTUnwrap(Self.running, Self.startFailure)
        return try TestWebSocketClient(port: running.port, target: target, headers: headers, receiveBufferBytes: receiveBufferBytes)
    }

    func testChatIsFullDuplex() throws {
        let client = try connect("/v1/books:chat")
        XCTAssertEqual(client.status, 101)
        XCTAssertNotNil(client.header("x-request-id"))
        for (index, text) in ["hello", "a second message", "ünïcødé"].enumerated() {
            client.sendText(#"{"text":"\#(text)"}"#)
            // Its answer arrives while the request side is still open: send, receive, send again.
            let answer = try XCTUnwrap(try client.readFrame().json)
            XCTAssertEqual(answer["text"] as? String, "echo: \(text)")
            XCTAssertEqual(answer["sequence"] as? Int, index + 1)
        }
        client.sendClose()
        let (messages, close) = try client.readUntilClose()
        XCTAssertTrue(messages.isEmpty)
        XCTAssertEqual(close.closeCode, 1000)
        XCTAssertTrue(client.waitForClose())
    }

    func testChatFailureClosesWithTheStatusAndItsDetails() throws {
        let client = try connect("/v1/books:chat")
        client.sendText(#"{"text":"before"}"#)
        XCTAssertEqual(try client.readFrame().json?["text"] as? String, "echo: before")
        client.sendText(#"{"text":"fail"}"#)
        let (messages, close) = try client.readUntilClose()
        XCTAssertEqual(messages.count, 1, messages.map(\.text).joined())
        let error = try XCTUnwrap(messages.first?.json?["error"] as? [String: Any], messages.first?.text ?? "")
        XCTAssertEqual(error["code"] as? Int, 3)
        let details = try XCTUnwrap(error["details"] as? [[String: Any]])
        XCTAssertEqual(details.first?["@type"] as? String, "type.googleapis.com/google.rpc.BadRequest")
        XCTAssertEqual(close.closeCode, 4003)
        let reason = try XCTUnwrap(close.json, close.closeReason)
        XCTAssertEqual(reason["code"] as? Int, 3)
        XCTAssertEqual(reason["message"] as? String, error["message"] as? String)
        XCTAssertLessThanOrEqual(close.payload.count - 2, 123)
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
    }

    func testBadJSONClosesWithInvalidArgumentNamingTheField() throws {
        let client = try connect("/v1/books:chat")
        client.sendText(#"{"text":7}"#)
        let close = try client.readFrame()
        XCTAssertEqual(close.closeCode, 4003)
        let reason = try XCTUnwrap(close.json, close.closeReason)
        XCTAssertEqual(reason["code"] as? Int, 3)
        // The field's path, then what was wrong with it.
        XCTAssertEqual(reason["message"] as? String, "text: expected string, got 7")
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
        let running = try XCTUnwrap(Self.running)
        XCTAssertTrue(running.upstream.waitForCancelled(atLeast: 1))
    }

    func testServerStreamingFromThePath() throws {
        let client = try connect("/v1/shelves/1/books:stream?limit=2")
        XCTAssertEqual(client.status, 101)
        let (messages, close) = try client.readUntilClose()
        XCTAssertEqual(messages.count, 2, messages.map(\.text).joined(separator: "\n"))
        XCTAssertNotNil(messages.first?.json?["title"], messages.first?.text ?? "")
        XCTAssertEqual(close.closeCode, 1000)
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
    }

    func testServerStreamingFailureMidStream() throws {
        let client = try connect("/v1/shelves/1/books:stream?failAfter=1")
        let (messages, close) = try client.readUntilClose()
        XCTAssertEqual(messages.count, 1, messages.map(\.text).joined(separator: "\n"))
        XCTAssertEqual(close.closeCode, 4010)
        XCTAssertEqual(close.json?["code"] as? Int, 10)
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
    }

    func testClientStreamingAnswersOnceAfterTheClientsClose() throws {
        // `body: "book"`: each frame is a Book; the shelf comes from the path, for every message.
        let client = try connect("/v1/shelves/2/books:batchCreate")
        XCTAssertEqual(client.status, 101)
        client.sendText(#"{"title":"Over WebSocket, one","author":"A"}"#)
        client.sendText(#"{"title":"Over WebSocket, two","author":"B"}"#)
        client.sendClose()
        let (messages, close) = try client.readUntilClose()
        XCTAssertEqual(messages.count, 1, messages.map(\.text).joined(separator: "\n"))
        let answer = try XCTUnwrap(messages.first?.json, messages.first?.text ?? "")
        XCTAssertEqual(answer["createdCount"] as? Int, 2)
        let books = try XCTUnwrap(answer["books"] as? [[String: Any]])
        XCTAssertEqual(books.compactMap { $0["title"] as? String }, ["Over WebSocket, one", "Over WebSocket, two"])
        XCTAssertTrue(books.allSatisfy { ($0["name"] as? String ?? "").hasPrefix("shelves/2/books/") }, "\(books)")
        XCTAssertEqual(close.closeCode, 1000)
        XCTAssertTrue(client.waitForClose())
    }

    func testUpgradeOnUnaryOrUnknownRouteIsAnHTTPError() throws {
        let unary = try connect("/v1/shelves/1")
        XCTAssertEqual(unary.status, 400)
        let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(unary.body.utf8)) as? [String: Any])
        XCTAssertEqual(status["code"] as? Int, 3)
        XCTAssertEqual((status["details"] as? [Any])?.count, 0)
        XCTAssertTrue(unary.waitForClose())
        let unknown = try connect("/v1/nowhere")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertTrue(unknown.body.contains(#""code":5"#), unknown.body)
    }

    func testClientGoingAwayCancelsTheUpstreamCall() throws {
        let running = try XCTUnwrap(Self.running)
        let before = running.upstream.cancelled
        let client = try connect("/v1/books:chat")
        client.sendText(#"{"text":"still there?"}"#)
        XCTAssertEqual(try client.readFrame().json?["sequence"] as? Int, 1)
        client.drop()
        XCTAssertTrue(running.upstream.waitForCancelled(atLeast: before + 1))
        // The pool is fine afterwards: a new chat works.
        let next = try connect("/v1/books:chat")
        next.sendText(#"{"text":"again"}"#)
        XCTAssertEqual(try next.readFrame().json?["text"] as? String, "echo: again")
        next.sendClose()
        XCTAssertEqual(try next.readFrame().closeCode, 1000)
    }

    /// An 8 MiB download (about 11 MB of JSON, more than the kernel's socket buffers
    /// hold) to a client with a small receive buffer that stops reading for a second,
    /// then reads: the edge pauses reading from the backend while the socket is full
    /// and resumes when it drains; every byte arrives.
    func testSlowReaderPausesTheBackend() throws {
        let running = try XCTUnwrap(Self.running)
        let total = 8 << 20
        let pausesBefore = running.upstream.pauses
        let client = try connect(
            "/v1/download?bytes=\(total)&chunkSize=65536", headers: [("grpc-timeout", "60S")], receiveBufferBytes: 32 << 10)
        XCTAssertEqual(client.status, 101)
        let baseline = WebSocketTestMemory.bytes()
        var received = try Self.dataBytes(in: client.readFrame())
        // The client stalls until the edge has paused the backend (the state under test),
        // not for a fixed time.
        XCTAssertTrue(
            waitUntil(seconds: 30) { running.upstream.pauses > pausesBefore }, "the backend was not paused while the client stalled")
        var peak = WebSocketTestMemory.bytes()
        var frames = 1
        var close: TestWebSocketClient.Frame?
        while close == nil {
            let frame = try client.readFrame()
            if frame.isClose {
                close = frame
                break
            }
            received += Self.dataBytes(in: frame)
            frames += 1
            if frames % 16 == 0 { peak = max(peak, WebSocketTestMemory.bytes()) }
        }
        XCTAssertEqual(received, total)
        XCTAssertEqual(close?.closeCode, 1000)
        let pauses = running.upstream.pauses - pausesBefore
        XCTAssertGreaterThan(pauses, 0, "the backend was never paused")
        print("WebSocket slow reader: \(frames) frames, \(total >> 20) MiB of data, \(pauses) pauses, RSS growth \((peak - baseline) >> 20) MiB")
        client.sendClose()
        XCTAssertTrue(client.waitForClose())
    }

    /// A client that sends messages without reading the answers until it has sent
    /// them all: every answer still arrives, in order, and the stream ends OK.
    func testFloodingClientGetsEveryAnswer() throws {
        let running = try XCTUnwrap(Self.running)
        let client = try connect("/v1/books:chat", headers: [("grpc-timeout", "60S")], receiveBufferBytes: 32 << 10)
        XCTAssertEqual(client.status, 101)
        let count = 4000
        let text = String(repeating: "x", count: 1000)
        let unwritableBefore = running.upstream.unwritable
        let baseline = WebSocketTestMemory.bytes()
        let sender = Thread { [client = WebSocketClientBox(client)] in
            for _ in 0..<count { client.value.sendText(#"{"text":"\#(text)"}"#) }
            client.value.sendClose()
        }
        sender.start()
        // Not reading until the flood has backed up: the answers filled the client's socket
        // and the edge paused the backend, or the client has sent everything.
        let pausesBefore = running.upstream.pauses
        XCTAssertTrue(
            waitUntil(seconds: 30) { running.upstream.pauses > pausesBefore || sender.isFinished },
            "neither did the flood back up nor did the client finish sending")
        var peak = WebSocketTestMemory.bytes()
        var answers = 0
        while true {
            let frame = try client.readFrame()
            if frame.isClose {
                XCTAssertEqual(frame.closeCode, 1000)
                break
            }
            answers += 1
            if answers % 256 == 0 { peak = max(peak, WebSocketTestMemory.bytes()) }
        }
        XCTAssertEqual(answers, count)
        print(
            "WebSocket flooding client: \(count) messages each way (\((count * 1012) >> 20) MiB sent), "
                + "upstream unwritable \(running.upstream.unwritable - unwritableBefore) times, RSS growth \((peak - baseline) >> 20) MiB")
    }

    /// The decoded size of a DownloadChunk frame's `data` (base64 in the JSON).
    private static func dataBytes(in frame: TestWebSocketClient.Frame) -> Int {
        let payload = frame.payload
        let marker = Array(#""data":""#.utf8)
        guard let start = TestConnection.find(marker, in: payload) else { return 0 }
        var end = start + marker.count
        var padding = 0
        while end < payload.count, payload[end] != UInt8(ascii: "\"") {
            if payload[end] == UInt8(ascii: "=") { padding += 1 }
            end += 1
        }
        return (end - start - marker.count) / 4 * 3 - padding
    }

    /// `edge serve` runs the hot-reloading gateway: WebSocket streams work through it too.
    func testChatThroughTheReloadableGateway() throws {
        let running = try XCTUnwrap(Self.running, Self.startFailure)
        let directory = NSTemporaryDirectory() + "edge-ws-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/edge.yaml"
        try Data(EndToEndFixture.gatewayYAML(ports: [running.fixture.demo.port]).utf8).write(to: URL(fileURLWithPath: file))
        let group = running.fixture.group
        let gateway = try EndToEndFixture.blocking { try await ReloadableGateway.load(configFile: file, group: group) }
        try EndToEndFixture.blocking { try await gateway.start(handleSIGHUP: false) }
        defer { _ = try? EndToEndFixture.blocking { await gateway.shutdown() } }
        let port = try XCTUnwrap(gateway.server.localAddress?.port)
        let client = try TestWebSocketClient(port: port, target: "/v1/books:chat")
        XCTAssertEqual(client.status, 101)
        client.sendText(#"{"text":"reloadable"}"#)
        XCTAssertEqual(try client.readFrame().json?["text"] as? String, "echo: reloadable")
        client.sendClose()
        XCTAssertEqual(try client.readFrame().closeCode, 1000)
        XCTAssertTrue(client.waitForClose())
    }

    func testManyMessagesBothWays() throws {
        let client = try connect("/v1/books:chat", headers: [("grpc-timeout", "60S")])
        let count = 500
        let start = Date()
        for index in 1...count { client.sendText(#"{"text":"\#(index)"}"#) }
        client.sendClose()
        let (messages, close) = try client.readUntilClose()
        let pipelined = Date().timeIntervalSince(start)
        XCTAssertEqual(messages.count, count)
        XCTAssertEqual(messages.last?.json?["text"] as? String, "echo: \(count)")
        XCTAssertEqual(close.closeCode, 1000)

        // Ping-pong: each message waits for the previous answer.
        let sequential = try connect("/v1/books:chat", headers: [("grpc-timeout", "60S")])
        let rounds = 200
        let roundStart = Date()
        for index in 1...rounds {
            sequential.sendText(#"{"text":"\#(index)"}"#)
            XCTAssertEqual(try sequential.readFrame().json?["sequence"] as? Int, index)
        }
        let perRound = Date().timeIntervalSince(roundStart) / Double(rounds)
        sequential.sendClose()
        XCTAssertEqual(try sequential.readFrame().closeCode, 1000)
        print(
            "WebSocket chat (debug build): \(count) messages pipelined each way in \(String(format: "%.2f", pipelined)) s; "
                + "sequential round trip \(String(format: "%.2f", perRound * 1000)) ms")
    }
}

private final class WebSocketClientBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// This process's resident set size, from /proc/self/statm.
enum WebSocketTestMemory {
    static func bytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// The upstream pool, counting the streaming calls the edge cancelled, the times it
/// paused reading a call, and the times a call turned unwritable.
private final class CancelCountingUpstream: UpstreamCalling, UpstreamStreaming {
    struct Counts {
        var cancelled = 0
        var pauses = 0
        var unwritable = 0
    }

    private let pool: UpstreamPool
    private let counts = NIOLockedValueBox(Counts())

    init(_ pool: UpstreamPool) { self.pool = pool }

    var cancelled: Int { counts.withLockedValue { $0.cancelled } }
    var pauses: Int { counts.withLockedValue { $0.pauses } }
    var unwritable: Int { counts.withLockedValue { $0.unwritable } }

    func waitForCancelled(atLeast expected: Int) -> Bool {
        for _ in 0..<500 {
            if cancelled >= expected { return true }
            usleep(10_000)
        }
        return cancelled >= expected
    }

    func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        pool.call(request, policy: policy, on: eventLoop)
    }

    func openStream(
        _ head: UpstreamStreamHead, policy: CallPolicy, on eventLoop: any EventLoop, observer: any UpstreamStreamObserver
    ) -> any UpstreamStreamControl {
        let watcher = Watcher(observer, counts: counts)
        return Control(pool.openStream(head, policy: policy, on: eventLoop, observer: watcher), counts: counts)
    }

    private final class Control: UpstreamStreamControl {
        let inner: any UpstreamStreamControl
        let counts: NIOLockedValueBox<Counts>

        init(_ inner: any UpstreamStreamControl, counts: NIOLockedValueBox<Counts>) {
            self.inner = inner
            self.counts = counts
        }

        func send(_ message: ByteBuffer) { inner.send(message) }
        func finishSending() { inner.finishSending() }
        var isWritable: Bool { inner.isWritable }
        func pauseReading() {
            counts.withLockedValue { $0.pauses += 1 }
            inner.pauseReading()
        }
        func resumeReading() { inner.resumeReading() }
        func cancel() {
            counts.withLockedValue { $0.cancelled += 1 }
            inner.cancel()
        }
    }

    private final class Watcher: UpstreamStreamObserver {
        let inner: any UpstreamStreamObserver
        let counts: NIOLockedValueBox<Counts>

        init(_ inner: any UpstreamStreamObserver, counts: NIOLockedValueBox<Counts>) {
            self.inner = inner
            self.counts = counts
        }

        func upstreamReceivedHeaders(_ headers: [(name: String, value: String)]) { inner.upstreamReceivedHeaders(headers) }
        func upstreamReceivedMessage(_ message: ByteBuffer) { inner.upstreamReceivedMessage(message) }
        func upstreamFinished(_ end: UpstreamStreamEnd) { inner.upstreamFinished(end) }
        func upstreamWritabilityChanged(_ isWritable: Bool) {
            if !isWritable { counts.withLockedValue { $0.unwritable += 1 } }
            inner.upstreamWritabilityChanged(isWritable)
        }
    }
}
