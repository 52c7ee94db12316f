import EdgeDemo
import Foundation
import NIOCore
import NIOPosix
import SwiftProtobuf
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgePolicy
@testable import EdgeUpstream

/// ``UpstreamPool``'s streaming calls against the in-process grpc-swift demo bookstore:
/// server streaming (`ListBooksStream`), client streaming (`CreateBooks`), errors before and
/// after messages, deadline, cancel, unknown service, unreachable backend.
final class UpstreamStreamingDemoTests: XCTestCase {
    private static let service = "demo.bookstore.v1.Bookstore"

    private var demo: RunningDemoServer!
    private var group: MultiThreadedEventLoopGroup!
    private var pool: UpstreamPool!
    private var loop: EventLoop { self.group.next() }

    override func setUpWithError() throws {
        self.demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.pool = try UpstreamPool(
            clusters: [UpstreamClusterConfig(name: "demo", endpoints: ["\(self.demo.target)"])],
            services: ["demo.bookstore.v1": "demo"]
        )
    }

    override func tearDownWithError() throws {
        self.pool?.close()
        try? self.group?.syncShutdownGracefully()
        if let demo = self.demo {
            _ = try? EndToEndFixture.blocking { await demo.shutdown(gracePeriod: .milliseconds(200)) }
        }
    }

    private func head(_ method: String, service: String = service, timeout: TimeAmount = .seconds(10), metadata: [(name: String, value: String)] = []) -> UpstreamStreamHead {
        UpstreamStreamHead(path: "/\(service)/\(method)", service: service, metadata: metadata, deadline: .now() + timeout)
    }

    private func listRequest(shelf: Int64, intervalMS: Int64 = 0) throws -> ByteBuffer {
        let request = Demo_Bookstore_V1_ListBooksStreamRequest.with {
            $0.shelf = shelf
            if intervalMS > 0 {
                $0.interval = .with {
                    $0.seconds = intervalMS / 1000
                    $0.nanos = Int32(intervalMS % 1000 * 1_000_000)
                }
            }
        }
        return ByteBuffer(bytes: try request.serializedBytes() as [UInt8])
    }

    private func books(_ recorder: StreamRecorder) throws -> [String] {
        try recorder.messages.map { try Demo_Bookstore_V1_Book(serializedBytes: Array($0.readableBytesView)).title }
    }

    /// Opens a server-streaming call: one request message, then END_STREAM.
    private func serverStream(_ method: String, _ request: ByteBuffer, timeout: TimeAmount = .seconds(10), policy: CallPolicy = CallPolicy(), pool: UpstreamPool? = nil) -> (StreamRecorder, StreamHandle) {
        let recorder = StreamRecorder()
        let handle = StreamHandle.open(pool ?? self.pool, self.head(method, timeout: timeout), policy: policy, on: self.loop, observer: recorder)
        handle.onLoop { control in
            control.send(request)
            control.finishSending()
        }
        return (recorder, handle)
    }

    func testServerStreamingDeliversEveryMessageInOrderThenOK() throws {
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1))
        let end = try XCTUnwrap(recorder.waitForEnd(), "the stream did not end")
        XCTAssertEqual(end.status, GRPCStatus(code: .ok))
        XCTAssertEqual(try books(recorder), ["Dune", "The Left Hand of Darkness", "Middlemarch"])
        XCTAssertEqual(end.messagesReceived, 3)
        XCTAssertEqual(end.trailers.first { $0.name == "book-count" }?.value, "3")
        XCTAssertEqual(recorder.events.first, "headers", "headers come first, once")
        XCTAssertEqual(recorder.events.filter { $0 == "headers" }.count, 1)
        XCTAssertEqual(recorder.events.last, "end")
        XCTAssertEqual(self.pool.stats(cluster: "demo")?.attempts, 1)
    }

    func testServerStreamingMessagesArriveAsTheyAreSent() throws {
        // 3 books, 1 s apart: the first is delivered long before the end.
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1, intervalMS: 1000))
        XCTAssertTrue(recorder.waitForMessages(1))
        XCTAssertNil(recorder.end, "the first message must not wait for the whole stream")
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .ok)
        XCTAssertEqual(try books(recorder).count, 3)
    }

    func testManyStreamsShareOneConnection() throws {
        let calls = try (0..<20).map { i in serverStream("ListBooksStream", try listRequest(shelf: Int64(1 + i % 2))) }
        for (i, (recorder, _)) in calls.enumerated() {
            XCTAssertEqual(recorder.waitForEnd()?.status.code, .ok)
            XCTAssertEqual(recorder.messages.count, i % 2 == 0 ? 3 : 2)
        }
        let stats = try XCTUnwrap(self.pool.stats(cluster: "demo"))
        XCTAssertEqual(stats.attempts, 20)
        XCTAssertEqual(stats.connectionsOpened, 1)
    }

    func testClientStreamingSendsEveryMessageThenGetsOneResponse() throws {
        let recorder = StreamRecorder()
        let handle = StreamHandle.open(self.pool, self.head("CreateBooks"), on: self.loop, observer: recorder)
        let titles = (1...5).map { "Streamed \($0)" }
        for title in titles {
            let request = Demo_Bookstore_V1_CreateBookRequest.with {
                $0.shelf = 3
                $0.book = .with {
                    $0.title = title
                    $0.author = "Edge"
                }
            }
            let bytes: [UInt8] = try request.serializedBytes()
            handle.onLoop { $0.send(ByteBuffer(bytes: bytes)) }
        }
        handle.onLoop { $0.finishSending() }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status, GRPCStatus(code: .ok))
        XCTAssertEqual(recorder.messages.count, 1)
        let response = try Demo_Bookstore_V1_CreateBooksResponse(serializedBytes: Array(try XCTUnwrap(recorder.messages.first).readableBytesView))
        XCTAssertEqual(response.createdCount, 5)
        XCTAssertEqual(response.books.map(\.title), titles)
    }

    func testClientStreamingErrorWithDetails() throws {
        let recorder = StreamRecorder()
        let handle = StreamHandle.open(self.pool, self.head("CreateBooks"), on: self.loop, observer: recorder)
        let invalid: [UInt8] = try Demo_Bookstore_V1_CreateBookRequest.with { $0.shelf = 3; $0.book = .with { $0.author = "No Title" } }.serializedBytes()
        handle.onLoop {
            $0.send(ByteBuffer(bytes: invalid))
            $0.finishSending()
        }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .invalidArgument)
        XCTAssertTrue(end.status.message.contains("request 0"), end.status.message)
        XCTAssertNotNil(end.status.details, "google.rpc.Status details from grpc-status-details-bin")
        XCTAssertEqual(end.messagesReceived, 0)
    }

    func testErrorBeforeTheFirstMessage() throws {
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 999))
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .notFound)
        XCTAssertEqual(end.messagesReceived, 0)
        XCTAssertTrue(recorder.messages.isEmpty)
    }

    func testConnectionLossAfterSomeMessages() throws {
        // A second demo server, shut down while the stream is between messages.
        let doomed = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        let pool = try UpstreamPool(clusters: [UpstreamClusterConfig(name: "doomed", endpoints: ["\(doomed.target)"])], services: ["*": "doomed"])
        defer { pool.close() }
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1, intervalMS: 2000), pool: pool)
        XCTAssertTrue(recorder.waitForMessages(1))
        _ = try EndToEndFixture.blocking { await doomed.shutdown(gracePeriod: .milliseconds(100)) }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertNotEqual(end.status.code, .ok)
        XCTAssertEqual(end.messagesReceived, 1)
        XCTAssertEqual(recorder.messages.count, 1)
    }

    func testDeadlineExpiresMidStream() throws {
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1, intervalMS: 5000), timeout: .milliseconds(1500))
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .deadlineExceeded)
        XCTAssertEqual(end.messagesReceived, 1)
        // The connection is still good.
        let (next, _) = serverStream("ListBooksStream", try listRequest(shelf: 2))
        XCTAssertEqual(next.waitForEnd()?.status.code, .ok)
        XCTAssertEqual(self.pool.stats(cluster: "demo")?.connectionsOpened, 1)
    }

    func testCancelStopsCallbacksAndFreesTheStream() throws {
        let (recorder, handle) = serverStream("ListBooksStream", try listRequest(shelf: 1, intervalMS: 300))
        XCTAssertTrue(recorder.waitForMessages(1))
        handle.onLoop { $0.cancel() }
        let eventsAtCancel = recorder.events
        // Longer than the rest of the stream would take: nothing more arrives.
        XCTAssertNil(recorder.waitForEnd(timeout: 1))
        XCTAssertEqual(recorder.events, eventsAtCancel)
        handle.onLoop { $0.cancel() }  // idempotent
        let (next, _) = serverStream("ListBooksStream", try listRequest(shelf: 2))
        XCTAssertEqual(next.waitForEnd()?.status.code, .ok)
    }

    func testUnknownServiceIsUnimplementedAndNotReentrant() throws {
        let pool = try UpstreamPool(clusters: [UpstreamClusterConfig(name: "demo", endpoints: ["\(self.demo.target)"])], services: ["other.v1": "demo"])
        let recorder = StreamRecorder()
        let handle = StreamHandle.open(pool, self.head("ListBooksStream"), on: self.loop, observer: recorder)
        XCTAssertEqual(handle.eventsDuringOpen, [], "no callback inside openStream")
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .unimplemented)
    }

    func testUnknownMethodIsUnimplemented() throws {
        let (recorder, _) = serverStream("NoSuchMethod", ByteBuffer())
        XCTAssertEqual(recorder.waitForEnd()?.status.code, .unimplemented)
    }

    func testUnreachableBackendIsUnavailable() throws {
        let port = try EndToEndFixture.closedPort()
        let pool = try UpstreamPool(clusters: [UpstreamClusterConfig(name: "gone", endpoints: ["127.0.0.1:\(port)"])], services: ["*": "gone"])
        defer { pool.close() }
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1), pool: pool)
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .unavailable)
        XCTAssertEqual(pool.stats(cluster: "gone")?.connectFailures, 1)
    }

    /// Streams pass the cluster's circuit breaker too: once failed streams open it, the
    /// next stream is turned away without a connection attempt.
    func testStreamsOpenAndRespectTheCircuitBreaker() throws {
        let port = try EndToEndFixture.closedPort()
        let breaker = CircuitBreakerConfiguration(consecutiveFailures: 2, errorRate: 0, openTimeout: .seconds(60))
        let pool = try UpstreamPool(
            clusters: [UpstreamClusterConfig(name: "gone", endpoints: ["127.0.0.1:\(port)"], circuitBreaker: breaker)], services: ["*": "gone"])
        defer { pool.close() }
        for _ in 0..<2 {
            let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1), pool: pool)
            let end = try XCTUnwrap(recorder.waitForEnd())
            XCTAssertEqual(end.status.code, .unavailable)
            XCTAssertFalse(end.status.message.contains("circuit breaker"), end.status.message)
        }
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1), pool: pool)
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .unavailable)
        XCTAssertEqual(end.status.message, "circuit breaker open for cluster gone")
        XCTAssertEqual(pool.stats(cluster: "gone")?.connectFailures, 2)
    }

    func testMessageOverTheSizeLimitIsResourceExhausted() throws {
        let (recorder, _) = serverStream("ListBooksStream", try listRequest(shelf: 1), policy: CallPolicy(maxResponseBytes: 20))
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .resourceExhausted)
        XCTAssertEqual(end.messagesReceived, 0)
    }
}

/// An ``UpstreamStreamObserver`` that records everything, for tests on other threads.
final class StreamRecorder: UpstreamStreamObserver, @unchecked Sendable {
    private let condition = NSCondition()
    private var _events: [String] = []
    private var _headers: [(name: String, value: String)] = []
    private var _messages: [ByteBuffer] = []
    private var _bytes = 0
    private var _end: UpstreamStreamEnd?
    private var _writability: [Bool] = []
    /// Called on the event loop for every message, after it is recorded.
    var onMessage: ((ByteBuffer) -> Void)?
    /// Keep only the count and size of messages (floods).
    var keepMessages = true

    var events: [String] { self.locked { self._events } }
    var headers: [(name: String, value: String)] { self.locked { self._headers } }
    var messages: [ByteBuffer] { self.locked { self._messages } }
    var bytesReceived: Int { self.locked { self._bytes } }
    var end: UpstreamStreamEnd? { self.locked { self._end } }
    var writabilityChanges: [Bool] { self.locked { self._writability } }
    /// For ``wait(timeout:until:)`` predicates, which run under the lock.
    var eventsUnlocked: [String] { self._events }
    var writabilityChangesUnlocked: [Bool] { self._writability }

    func upstreamReceivedHeaders(_ headers: [(name: String, value: String)]) {
        self.change {
            self._events.append("headers")
            self._headers = headers
        }
    }

    func upstreamReceivedMessage(_ message: ByteBuffer) {
        let keep = self.keepMessages
        self.change {
            self._events.append("message")
            self._bytes += message.readableBytes
            if keep { self._messages.append(message) } else { self._messages.append(ByteBuffer()) }
        }
        self.onMessage?(message)
    }

    func upstreamFinished(_ end: UpstreamStreamEnd) {
        self.change {
            self._events.append(self._end == nil ? "end" : "second end")
            self._end = end
        }
        self.onMessage = nil
    }

    func upstreamWritabilityChanged(_ isWritable: Bool) {
        self.change { self._writability.append(isWritable) }
    }

    func waitForEnd(timeout: TimeInterval = 20) -> UpstreamStreamEnd? {
        self.wait(timeout: timeout) { self._end != nil } ? self.end : nil
    }

    func waitForMessages(_ count: Int, timeout: TimeInterval = 20) -> Bool {
        self.wait(timeout: timeout) { self._messages.count >= count }
    }

    /// Waits until `predicate` (evaluated under the lock) holds or the stream ended.
    func wait(timeout: TimeInterval, until predicate: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        self.condition.lock()
        defer { self.condition.unlock() }
        while !predicate() {
            if !self.condition.wait(until: deadline) { return predicate() }
        }
        return true
    }

    private func change(_ body: () -> Void) {
        self.condition.lock()
        body()
        self.condition.broadcast()
        self.condition.unlock()
    }

    private func locked<T>(_ body: () -> T) -> T {
        self.condition.lock()
        defer { self.condition.unlock() }
        return body()
    }
}

/// A streaming call's control, used from a test thread by hopping onto its loop.
final class StreamHandle: @unchecked Sendable {
    let control: any UpstreamStreamControl
    let loop: EventLoop
    /// What the observer saw before `openStream` returned (must be nothing).
    let eventsDuringOpen: [String]

    private init(control: any UpstreamStreamControl, loop: EventLoop, eventsDuringOpen: [String]) {
        self.control = control
        self.loop = loop
        self.eventsDuringOpen = eventsDuringOpen
    }

    static func open(
        _ pool: UpstreamPool, _ head: UpstreamStreamHead, policy: CallPolicy = CallPolicy(), on loop: EventLoop, observer: StreamRecorder
    ) -> StreamHandle {
        let box = UncheckedBox<StreamHandle?>(nil)
        try! loop.submit {
            let control = pool.openStream(head, policy: policy, on: loop, observer: observer)
            box.value = StreamHandle(control: control, loop: loop, eventsDuringOpen: observer.events)
        }.wait()
        return box.value!
    }

    /// Runs `body` on the call's loop and waits for it.
    @discardableResult
    func onLoop<T>(_ body: @escaping (any UpstreamStreamControl) -> T) -> T {
        let box = UncheckedBox<T?>(nil)
        let control = UncheckedBox(self.control)
        let body = UncheckedBox(body)
        try! self.loop.submit { box.value = body.value(control.value) }.wait()
        return box.value!
    }
}

final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
