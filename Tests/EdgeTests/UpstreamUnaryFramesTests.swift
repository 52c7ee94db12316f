import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP2
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeUpstream

/// Unary calls run on the connection's frames (``UpstreamUnaryConnectionHandler``): the
/// server's stream limit, inbound flow control, several calls in flight when a stream is
/// reset or the connection goes away, and cancellation, against ``ScriptedH2Backend``.
final class UpstreamUnaryFramesTests: ScriptedUpstreamTestCase {
    // MARK: helpers

    private func pool(_ backend: ScriptedH2Backend, streamWindow: Int = 8 << 20, connectionWindow: Int = 16 << 20) throws -> UpstreamPool {
        try pool(
            cluster: UpstreamClusterConfig(
                name: "test", endpoints: ["\(backend.address)"], connectTimeout: .seconds(2), maxConnectionsPerEndpoint: 1,
                streamWindowSize: streamWindow, connectionWindowSize: connectionWindow))
    }

    private func start(
        _ pool: UpstreamPool, _ method: String, message: [UInt8] = [1], timeout: TimeAmount = .seconds(10),
        policy: CallPolicy = CallPolicy()
    ) -> EventLoopFuture<UpstreamResponse> {
        pool.call(request(method, message: message, timeout: timeout), policy: policy, on: self.clientGroup.next())
    }

    // MARK: stream limit

    func testServerStreamLimitIsHonoured() throws {
        // Two streams at a time; each answer takes a while, so the calls pile up.
        let backend = try backend(maxConcurrentStreams: 2) { request in
            [.delay(.milliseconds(30))] + GRPCScript.unary(Array(request.message.readableBytesView))
        }
        let pool = try pool(backend)
        // No retries: a stream over the limit would be refused and fail the call.
        let calls = (0..<10).map { i in start(pool, "Slow", message: [UInt8(i)], policy: CallPolicy()) }
        for (i, call) in calls.enumerated() {
            let response = try call.wait()
            XCTAssertEqual(response.status.code, .ok, response.status.message)
            XCTAssertEqual(response.message.map { Array($0.readableBytesView) }, [UInt8(i)])
        }
        let log = backend.snapshot
        XCTAssertEqual(log.attempts["/test.Svc/Slow"], 10)
        XCTAssertLessThanOrEqual(log.maxAnswering, 2)
        XCTAssertEqual(log.connections, 1)
        XCTAssertEqual(pool.stats(cluster: "test")?.attempts, 10)
    }

    func testCallsOverTheServerLimitWaitInTheQueue() throws {
        let backend = try backend(maxConcurrentStreams: 1) { request in
            request.path.hasSuffix("Hang") ? [.hang] : GRPCScript.unary([9])
        }
        let pool = try pool(backend)
        let loop = self.clientGroup.next()
        let hanging = start(pool, "Hang", timeout: .seconds(1))
        XCTAssertTrue(backend.waitUntil { $0.attempts["/test.Svc/Hang"] == 1 })
        let waiting = (0..<3).map { _ in start(pool, "Echo", timeout: .seconds(10)) }
        let counts = { () -> (open: Int, queued: Int)? in
            try? loop.submit {
                pool.clusters["test"]!.loopPool(for: loop).unaryConnectionsSnapshot.first?.unaryStreamCounts
            }.wait()
        }
        var seen = counts()
        for _ in 0..<100 where seen?.queued != 3 {
            usleep(10_000)
            seen = counts()
        }
        XCTAssertEqual(seen?.open, 1)
        XCTAssertEqual(seen?.queued, 3)
        XCTAssertNil(backend.snapshot.attempts["/test.Svc/Echo"])
        // The hanging call's deadline frees the stream; the queued calls then run one by one.
        XCTAssertEqual(try hanging.wait().status.code, .deadlineExceeded)
        for call in waiting { XCTAssertEqual(try call.wait().status.code, .ok) }
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Echo"], 3)
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 1)
    }

    func testQueuedCallLeavesTheQueueOnItsDeadline() throws {
        // One stream at a time: the second call waits behind a call that hangs.
        let backend = try backend(maxConcurrentStreams: 1) { request in
            request.path.hasSuffix("Hang") ? [.hang] : GRPCScript.unary([9])
        }
        let pool = try pool(backend)
        let hanging = start(pool, "Hang", timeout: .seconds(1))
        XCTAssertTrue(backend.waitUntil { $0.attempts["/test.Svc/Hang"] == 1 })
        let queued = try start(pool, "Echo", timeout: .milliseconds(100)).wait()
        XCTAssertEqual(queued.status.code, .deadlineExceeded)
        XCTAssertNil(backend.snapshot.attempts["/test.Svc/Echo"], "a queued call is never sent")
        XCTAssertEqual(try hanging.wait().status.code, .deadlineExceeded)
        XCTAssertTrue(backend.waitUntil { $0.resets["/test.Svc/Hang"] == 1 })
        // The slot came back: the next call goes through on the same connection.
        XCTAssertEqual(try start(pool, "Echo").wait().status.code, .ok)
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 1)
    }

    // MARK: flow control

    func testResponsesLargerThanTheInitialWindows() throws {
        // 300 KB messages through 64 KiB stream and connection windows: both must be
        // given back many times, for several calls at once and one after another.
        let message = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let backend = try backend { _ in GRPCScript.unary(message) }
        let pool = try pool(backend, streamWindow: 65535, connectionWindow: 65535)
        for _ in 0..<2 {
            let calls = (0..<4).map { _ in start(pool, "Big") }
            for call in calls {
                let response = try call.wait()
                XCTAssertEqual(response.status.code, .ok, response.status.message)
                XCTAssertEqual(response.message?.readableBytes, message.count)
                XCTAssertTrue(response.message.map { $0.readableBytesView.elementsEqual(message) } ?? false)
            }
        }
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 1)
    }

    func testRequestLargerThanTheServersWindowIsSentInFull() throws {
        // NIO's handler holds back the DATA beyond the server's 64 KiB windows and sends it
        // as WINDOW_UPDATEs arrive.
        let message = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let backend = try backend { request in GRPCScript.unary(Array(request.message.readableBytesView)) }
        let pool = try pool(backend)
        let calls = (0..<3).map { _ in start(pool, "Echo", message: message) }
        for call in calls {
            let response = try call.wait()
            XCTAssertEqual(response.status.code, .ok, response.status.message)
            XCTAssertTrue(response.message.map { $0.readableBytesView.elementsEqual(message) } ?? false)
        }
    }

    // MARK: several calls in flight

    func testResetMidCallEndsOnlyThatCall() throws {
        let backend = try backend { request in
            switch request.path {
            case "/test.Svc/Reset": return [.headers(GRPCScript.responseHeaders(), endStream: false), .delay(.milliseconds(20)), .reset(.internalError)]
            case "/test.Svc/Refuse": return request.attempt == 1 ? [.reset(.refusedStream)] : GRPCScript.unary([7])
            default: return [.delay(.milliseconds(100))] + GRPCScript.unary([1])
            }
        }
        let pool = try pool(backend)
        let slow = (0..<3).map { _ in start(pool, "Slow") }
        let reset = start(pool, "Reset", policy: Self.retrying)
        let refused = start(pool, "Refuse", policy: CallPolicy())
        let resetResponse = try reset.wait()
        XCTAssertEqual(resetResponse.status.code, .internal)
        XCTAssertTrue(resetResponse.status.message.contains("reset"), resetResponse.status.message)
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Reset"], 1, "a stream reset after the request was seen is not retried")
        let refusedResponse = try refused.wait()
        XCTAssertEqual(refusedResponse.status.code, .ok, "REFUSED_STREAM is retried even without a retry policy")
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Refuse"], 2)
        for call in slow { XCTAssertEqual(try call.wait().status.code, .ok) }
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 1)
    }

    func testGoAwayMidCallRetriesEveryUnprocessedCall() throws {
        // The first connection's calls hang; a GOAWAY with last-stream-id 0 says none was
        // processed, so each is retried once on a new connection, where all are answered.
        let backend = try backend { request in
            if request.path == "/test.Svc/Boom" && request.attempt == 1 { return [.goAwayAndClose] }
            if request.attempt == 1 { return [.headers(GRPCScript.responseHeaders(), endStream: false), .hang] }
            return GRPCScript.unary([UInt8(request.attempt)])
        }
        let pool = try pool(backend)
        let calls = ["A", "B", "C"].map { start(pool, $0, policy: CallPolicy()) }
        XCTAssertTrue(backend.waitUntil { $0.requests.count == 3 })
        let boom = start(pool, "Boom", policy: CallPolicy())
        for call in calls + [boom] {
            let response = try call.wait()
            XCTAssertEqual(response.status.code, .ok, response.status.message)
            XCTAssertEqual(response.message.map { Array($0.readableBytesView) }, [2])
        }
        let stats = try XCTUnwrap(pool.stats(cluster: "test"))
        XCTAssertEqual(stats.goAwaysReceived, 1)
        XCTAssertEqual(stats.connectionsOpened, 2)
        XCTAssertEqual(stats.attempts, 8)
    }

    func testConnectionLossFailsEveryCallInFlightOnce() throws {
        // A frame no HTTP/2 peer can parse: the connection is torn down under three calls.
        let backend = try backend { request in
            switch request.path {
            case "/test.Svc/Break": return [.garbageFrame]
            case "/test.Svc/Ok": return GRPCScript.unary([3])
            default: return [.headers(GRPCScript.responseHeaders(), endStream: false), .hang]
            }
        }
        let pool = try pool(backend)
        let calls = (0..<3).map { _ in start(pool, "Hang") }
        XCTAssertTrue(backend.waitUntil { $0.requests.count == 3 })
        let broken = start(pool, "Break")
        for call in calls + [broken] {
            XCTAssertEqual(try call.wait().status.code, .unavailable)
        }
        // The pool reconnects for the next call.
        XCTAssertEqual(try start(pool, "Ok").wait().status.code, .ok)
        let stats = try XCTUnwrap(pool.stats(cluster: "test"))
        XCTAssertEqual(stats.connectionsOpened, 2)
        XCTAssertEqual(stats.attempts, 5)
    }

    // MARK: cancellation

    func testDeadlineResetsTheStreamAndTheConnectionStaysUsable() throws {
        let backend = try backend { request in
            request.path == "/test.Svc/Hang" ? [.headers(GRPCScript.responseHeaders(), endStream: false), .hang] : GRPCScript.unary([4])
        }
        let pool = try pool(backend)
        let inFlight = (0..<3).map { _ in start(pool, "Echo") }
        let hanging = try start(pool, "Hang", timeout: .milliseconds(150)).wait()
        XCTAssertEqual(hanging.status.code, .deadlineExceeded)
        XCTAssertTrue(backend.waitUntil { $0.resets["/test.Svc/Hang"] == 1 }, "the stream was not reset with CANCEL")
        for call in inFlight { XCTAssertEqual(try call.wait().status.code, .ok) }
        for _ in 0..<3 {
            let response = try start(pool, "Echo").wait()
            XCTAssertEqual(response.status.code, .ok)
            XCTAssertEqual(response.message.map { Array($0.readableBytesView) }, [4])
        }
        let stats = try XCTUnwrap(pool.stats(cluster: "test"))
        XCTAssertEqual(stats.connectionsOpened, 1)
        XCTAssertEqual(stats.connectionsClosed, 0)
    }

    func testPoolCloseEndsCallsInFlightAndQueued() throws {
        let backend = try backend(maxConcurrentStreams: 1) { _ in [.hang] }
        let pool = try pool(backend)
        let first = start(pool, "Hang")
        XCTAssertTrue(backend.waitUntil { $0.requests.count == 1 })
        let queued = start(pool, "Hang", timeout: .milliseconds(500))
        pool.close()
        XCTAssertEqual(try first.wait().status.code, .unavailable)
        // Never sent, hence retried (as before this handler existed, a closed pool still
        // connects again for a call that retries): it ends, one way or the other.
        let end = try queued.wait().status.code
        XCTAssertTrue([.unavailable, .deadlineExceeded].contains(end), "\(end)")
    }
}
