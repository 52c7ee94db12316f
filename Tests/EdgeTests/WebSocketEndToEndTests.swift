import DescriptorLoader
import Edge
import EdgeDemo
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

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

    private func connect(_ target: String, headers: [(String, String)] = []) throws -> TestWebSocketClient {
        let running = try XCTUnwrap(Self.running, Self.startFailure)
        return try TestWebSocketClient(port: running.port, target: target, headers: headers)
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
        XCTAssertTrue((reason["message"] as? String ?? "").contains("text"), close.closeReason)
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

    func testManyMessagesBothWays() throws {
        let client = try connect("/v1/books:chat")
        let count = 500
        for index in 1...count { client.sendText(#"{"text":"\#(index)"}"#) }
        client.sendClose()
        let (messages, close) = try client.readUntilClose()
        XCTAssertEqual(messages.count, count)
        XCTAssertEqual(messages.last?.json?["text"] as? String, "echo: \(count)")
        XCTAssertEqual(close.closeCode, 1000)
    }
}

/// The upstream pool, counting the streaming calls the edge cancelled.
private final class CancelCountingUpstream: UpstreamCalling, UpstreamStreaming {
    private let pool: UpstreamPool
    private let count = NIOLockedValueBox(0)

    init(_ pool: UpstreamPool) { self.pool = pool }

    var cancelled: Int { count.withLockedValue { $0 } }

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
        Control(pool.openStream(head, policy: policy, on: eventLoop, observer: observer), count: count)
    }

    private final class Control: UpstreamStreamControl {
        let inner: any UpstreamStreamControl
        let count: NIOLockedValueBox<Int>

        init(_ inner: any UpstreamStreamControl, count: NIOLockedValueBox<Int>) {
            self.inner = inner
            self.count = count
        }

        func send(_ message: ByteBuffer) { inner.send(message) }
        func finishSending() { inner.finishSending() }
        var isWritable: Bool { inner.isWritable }
        func pauseReading() { inner.pauseReading() }
        func resumeReading() { inner.resumeReading() }
        func cancel() {
            count.withLockedValue { $0 += 1 }
            inner.cancel()
        }
    }
}
