import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

/// Streaming calls against ``ScriptedH2Backend``, which controls every frame: request
/// headers and framing, split and batched messages, RST_STREAM, GOAWAY, bad `:status`,
/// missing `grpc-status`, resets on deadline and cancel, connection slots.
final class UpstreamStreamingScriptedTests: XCTestCase {
    private var backend: ScriptedH2Backend!
    private var group: MultiThreadedEventLoopGroup!
    private var pool: UpstreamPool!

    private func start(maxConcurrentStreams: Int = 100, script: @escaping ScriptedH2Backend.Script) throws {
        self.backend = try ScriptedH2Backend(script: script)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.pool = try UpstreamPool(
            clusters: [UpstreamClusterConfig(name: "s", endpoints: ["\(self.backend.address)"], maxConcurrentStreams: maxConcurrentStreams, maxConnectionsPerEndpoint: 4)],
            services: ["*": "s"]
        )
    }

    override func tearDown() {
        self.pool?.close()
        try? self.group?.syncShutdownGracefully()
        self.backend?.shutdown()
    }

    /// Sends `messages`, half-closes (the backend answers then) and waits for the end.
    @discardableResult
    private func run(
        _ messages: [[UInt8]] = [[1]], metadata: [(name: String, value: String)] = [], timeout: TimeAmount = .seconds(10),
        recorder: StreamRecorder = StreamRecorder()
    ) -> (StreamRecorder, UpstreamStreamEnd?) {
        let head = UpstreamStreamHead(path: "/t.S/M", service: "t.S", metadata: metadata, deadline: .now() + timeout)
        let handle = StreamHandle.open(self.pool, head, on: self.group.next(), observer: recorder)
        handle.onLoop { control in
            for message in messages { control.send(ByteBuffer(bytes: message)) }
            control.finishSending()
        }
        return (recorder, recorder.waitForEnd())
    }

    func testRequestHeadersAndFraming() throws {
        try start { _ in GRPCScript.unary([9]) }
        let (recorder, end) = run(
            [[1, 2], [], [3]],
            metadata: [("x-user", "u1"), ("te", "gzip"), ("connection", "close"), ("grpc-timeout", "1H"), ("content-type", "text/plain")]
        )
        XCTAssertEqual(end?.status, GRPCStatus(code: .ok))
        XCTAssertEqual(recorder.messages.map { Array($0.readableBytesView) }, [[9]])
        let request = try XCTUnwrap(self.backend.snapshot.requests.first)
        XCTAssertEqual(request.headers.first(name: ":method"), "POST")
        XCTAssertEqual(request.headers.first(name: ":path"), "/t.S/M")
        XCTAssertEqual(request.headers[canonicalForm: "te"], ["trailers"])
        XCTAssertEqual(request.headers[canonicalForm: "content-type"], ["application/grpc"])
        XCTAssertEqual(request.headers[canonicalForm: "grpc-timeout"].count, 1)
        XCTAssertNotEqual(request.headers.first(name: "grpc-timeout"), "1H")
        XCTAssertEqual(request.headers.first(name: "x-user"), "u1")
        XCTAssertFalse(request.headers.contains(name: "connection"))
        XCTAssertEqual(Array(request.body.readableBytesView), [0, 0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3])
    }

    func testMessagesBatchedAndSplitAcrossFrames() throws {
        try start { _ in
            // [1] and [2, 2] and the start of [3, 3, 3, 3] in one frame, its rest in the next.
            var first = GRPCScript.frame([1])
            var second = GRPCScript.frame([2, 2])
            first.writeBuffer(&second)
            var third = GRPCScript.frame([3, 3, 3, 3])
            first.writeImmutableBuffer(third.readSlice(length: 6)!)
            return [
                .headers(GRPCScript.responseHeaders([("x-h", "1")]), endStream: false),
                .data(first, endStream: false),
                .data(third, endStream: false),
                .headers(GRPCScript.trailers(0, extra: [("x-t", "2")]), endStream: true),
            ]
        }
        let (recorder, end) = run()
        XCTAssertEqual(end?.status, GRPCStatus(code: .ok))
        XCTAssertEqual(recorder.messages.map { Array($0.readableBytesView) }, [[1], [2, 2], [3, 3, 3, 3]])
        XCTAssertEqual(recorder.headers.map(\.name), ["x-h"])
        XCTAssertEqual(end?.trailers.map(\.name), ["x-t"])
        XCTAssertEqual(end?.messagesReceived, 3)
    }

    /// Cancelling from inside a message callback stops the remaining messages of the same
    /// frame: no callback follows `cancel()`.
    func testCancelInsideACallbackStopsDeliveryAtOnce() throws {
        try start { _ in
            var frame = GRPCScript.frame([1])
            var more = GRPCScript.frame([2])
            frame.writeBuffer(&more)
            return [.headers(GRPCScript.responseHeaders(), endStream: false), .data(frame, endStream: false), .hang]
        }
        let recorder = StreamRecorder()
        let handle = StreamHandle.open(self.pool, UpstreamStreamHead(path: "/t.S/M", service: "t.S", metadata: [], deadline: .now() + .seconds(10)), on: self.group.next(), observer: recorder)
        recorder.onMessage = { [control = UncheckedBox(handle.control)] _ in control.value.cancel() }
        handle.onLoop { $0.finishSending() }
        XCTAssertTrue(self.backend.waitUntil { $0.resets["/t.S/M"] == 1 }, "the stream was not reset")
        XCTAssertEqual(recorder.events, ["headers", "message"])
    }

    /// (The scripted backend cannot put DATA before a RST_STREAM on the wire: NIO drops
    /// DATA still buffered when the stream is reset. Messages before an error are covered
    /// by the grpcio abort and the demo's connection loss.)
    func testResetAfterHeaders() throws {
        try start { _ in [.headers(GRPCScript.responseHeaders(), endStream: false), .reset(.internalError)] }
        let (recorder, end) = run()
        XCTAssertEqual(end?.status.code, .internal)
        XCTAssertEqual(recorder.events, ["headers", "end"])
    }

    func testRefusedStreamIsUnavailable() throws {
        try start { _ in [.reset(.refusedStream)] }
        XCTAssertEqual(run().1?.status.code, .unavailable)
    }

    func testGoAwayIsUnavailable() throws {
        try start { _ in [.goAwayAndClose] }
        XCTAssertEqual(run().1?.status.code, .unavailable)
    }

    func testNon200StatusTrailersOnly() throws {
        try start { _ in [.headers([":status": "503", "x-r": "1"], endStream: true)] }
        let end = run().1
        XCTAssertEqual(end?.status.code, .unavailable)
        XCTAssertEqual(end?.trailers.map(\.name), ["x-r"])
    }

    func testMissingGRPCStatus() throws {
        try start { _ in
            [.headers(GRPCScript.responseHeaders(), endStream: false), .data(GRPCScript.frame([1]), endStream: true)]
        }
        let (recorder, end) = run()
        XCTAssertEqual(end?.status.code, .unknown)
        XCTAssertEqual(recorder.messages.count, 1)
    }

    func testCompressedMessageFailsAndResets() throws {
        try start { _ in
            [.headers(GRPCScript.responseHeaders(), endStream: false), .data(GRPCScript.frame([1], compressed: true), endStream: false), .hang]
        }
        XCTAssertEqual(run().1?.status.code, .internal)
        XCTAssertTrue(self.backend.waitUntil { $0.resets["/t.S/M"] == 1 }, "the stream was not reset")
    }

    func testDeadlineResetsTheStream() throws {
        try start { _ in [.headers(GRPCScript.responseHeaders(), endStream: false), .hang] }
        let (recorder, end) = run(timeout: .seconds(1))
        XCTAssertEqual(end?.status.code, .deadlineExceeded)
        XCTAssertEqual(recorder.events, ["headers", "end"])
        XCTAssertTrue(self.backend.waitUntil { $0.resets["/t.S/M"] == 1 }, "the stream was not reset")
    }

    func testCancelResetsTheStreamWithoutCallbacks() throws {
        try start { _ in [.headers(GRPCScript.responseHeaders(), endStream: false), .hang] }
        let recorder = StreamRecorder()
        let handle = StreamHandle.open(self.pool, UpstreamStreamHead(path: "/t.S/M", service: "t.S", metadata: [], deadline: .now() + .seconds(10)), on: self.group.next(), observer: recorder)
        handle.onLoop { $0.finishSending() }
        XCTAssertTrue(recorder.wait(timeout: 10) { !recorder.eventsUnlocked.isEmpty })
        handle.onLoop { $0.cancel() }
        XCTAssertTrue(self.backend.waitUntil { $0.resets["/t.S/M"] == 1 }, "the stream was not reset")
        XCTAssertEqual(recorder.events, ["headers"])
    }

    /// With one stream per connection allowed, ten calls in a row (ending in every way)
    /// still use one connection: each gives its slot back.
    func testEveryEndReleasesTheConnectionSlot() throws {
        try start(maxConcurrentStreams: 1) { request in
            switch request.message.readableBytesView.first {
            case 1: return GRPCScript.unary([1])
            case 2: return [.headers(GRPCScript.trailersOnly(5), endStream: true)]
            case 3: return [.headers(GRPCScript.responseHeaders(), endStream: false), .data(GRPCScript.frame([1], compressed: true), endStream: false), .hang]
            default: return [.hang]
            }
        }
        for i in 0..<10 {
            let kind = UInt8(1 + i % 4)
            let end = run([[kind]], timeout: kind == 4 ? .milliseconds(100) : .seconds(10)).1
            XCTAssertEqual(end?.status.code, [.ok, .notFound, .internal, .deadlineExceeded][Int(kind) - 1])
        }
        let stats = try XCTUnwrap(self.pool.stats(cluster: "s"))
        XCTAssertEqual(stats.attempts, 10)
        XCTAssertEqual(stats.connectionsOpened, 1)
    }
}
