import Edge
import XCTest
import EdgeConfig

/// ``HTTPPipeliningHandler`` over real sockets: order, its buffer bound, half-closure,
/// and the lazily re-armed connection timers after many requests on one connection.
final class HTTPPipeliningServerTests: XCTestCase {
    private func echo(_ index: Int, padding: Int = 0) -> (request: String, body: String) {
        let body = #"{"i":\#(index),"pad":"\#(String(repeating: "x", count: padding))"}"#
        return ("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)", body)
    }

    /// Far more than the buffer holds (by parts and by bytes) behind a held request: `read()`
    /// is held back past the bound and let through again, and every answer comes in order.
    func testPipelinedRequestsBeyondTheBufferBoundAreAllAnsweredInOrder() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        let count = 200
        var batch = "GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"
        var bodies: [String] = []
        for index in 0..<count {
            let request = echo(index, padding: 1000)
            batch += request.request
            bodies.append(request.body)
        }
        // The handler buffers 32 parts / 64 KiB; this is about 200 KiB (it fits in the socket buffers).
        XCTAssertGreaterThan(batch.utf8.count, 3 * 64 * 1024)
        connection.send(batch)
        try await waitUntil { server.upstream.heldCount == 1 }
        // Nothing behind the held request is called before it is answered.
        XCTAssertEqual(server.upstream.requests.count, 1)
        server.upstream.releaseHeld()
        XCTAssertEqual(try connection.readResponse().body, #"{"slow":true}"#)
        for body in bodies {
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, body)
        }
        XCTAssertEqual(server.upstream.requests.count, count + 1)
        try await server.stop()
    }

    /// The client sends its next request while the previous response is pending (the
    /// handler keeps reading): it is answered after the slow one, on the same connection.
    func testNextRequestSentDuringASlowResponseWaitsItsTurn() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { server.upstream.heldCount == 1 }
        let next = echo(1)
        connection.send(next.request)
        // The event that makes the check below mean something: the server has read the
        // pipelined request off its socket, and its loops have finished handling that read.
        try await waitUntil { ServerSocketQueue.unreadBytes(port: server.port) == [0] }
        try await ServerSocketQueue.roundTrip(server.group)
        XCTAssertFalse(connection.hasPendingInput())
        XCTAssertEqual(server.upstream.requests.count, 1)
        server.upstream.releaseHeld()
        XCTAssertEqual(try connection.readResponse().body, #"{"slow":true}"#)
        XCTAssertEqual(try connection.readResponse().body, next.body)
        // And the connection is still good for more.
        let third = echo(2)
        connection.send(third.request)
        XCTAssertEqual(try connection.readResponse().body, third.body)
        try await server.stop()
    }

    /// Requests, then the client's FIN: every request is still answered, then the connection closes.
    func testHalfClosedClientGetsEveryAnswer() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        var batch = "GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"
        var bodies: [String] = []
        for index in 0..<5 {
            let request = echo(index)
            batch += request.request
            bodies.append(request.body)
        }
        connection.send(batch)
        connection.shutdownWrite()
        try await waitUntil { server.upstream.heldCount == 1 }
        try await Task.sleep(for: .milliseconds(50))
        server.upstream.releaseHeld()
        XCTAssertEqual(try connection.readResponse().body, #"{"slow":true}"#)
        for body in bodies {
            XCTAssertEqual(try connection.readResponse().body, body)
        }
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    /// A FIN right after a single request (answered synchronously) still gets the answer.
    func testHalfCloseAfterOneRequest() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.shutdownWrite()
        XCTAssertEqual(try connection.readResponse().status, 200)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    /// A FIN right after a request whose answer (~4 MB) is more than the socket takes at
    /// once: the answer is flushed after the loop iteration (``ResponseFlushBatch``), and the
    /// close decided on the FIN waits until all of it is written.
    func testHalfCloseAfterALargeAnswerGetsAllOfIt() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        let request = echo(7, padding: 4_000_000)
        connection.send(request.request)
        connection.shutdownWrite()
        try await Task.sleep(for: .milliseconds(300))  // the client reads late: the edge's writes wait
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body.utf8.count, request.body.utf8.count)
        XCTAssertEqual(response.body, request.body)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    /// A FIN on an idle keep-alive connection closes it.
    func testHalfCloseOfAnIdleConnectionCloses() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
        connection.shutdownWrite()
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    /// A FIN in the middle of a request head: the request can never complete, so the
    /// connection ends (after a 400 at most), never hangs half-open.
    func testHalfCloseInsideAHeadEndsTheConnection() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHo")
        connection.shutdownWrite()
        if let response = try? connection.readResponse() { XCTAssertEqual(response.status, 400) }
        XCTAssertTrue(connection.waitForClose())
        XCTAssertTrue(server.upstream.requests.isEmpty)
        try await server.stop()
    }

    /// A parse error behind a pending response is answered in its turn (400, then close).
    func testMalformedRequestBehindAPendingOneIsAnsweredInOrder() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n")
        try await waitUntil { server.upstream.heldCount == 1 }
        server.upstream.releaseHeld()
        XCTAssertEqual(try connection.readResponse().body, #"{"slow":true}"#)
        XCTAssertEqual(try connection.readResponse().status, 200)
        let error = try connection.readResponse()
        XCTAssertEqual(error.status, 400)
        XCTAssertEqual(error.header("connection"), "close")
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    /// Quiescing with a pipelined request waiting: the in-flight one is answered with
    /// `connection: close`, the waiting one is dropped, the connection closes.
    func testDrainAnswersTheInFlightRequestAndDropsTheQueuedOnes() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n" + echo(1).request)
        try await waitUntil { server.upstream.heldCount == 1 }
        let edge = server.server
        let shutdown = Task { await edge.shutdown() }
        try await waitUntil { (try? TestConnection(port: server.port)) == nil }
        server.upstream.releaseHeld()
        let response = try connection.readResponse()
        XCTAssertEqual(response.body, #"{"slow":true}"#)
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(connection.waitForClose())
        XCTAssertEqual(server.upstream.requests.count, 1)
        await shutdown.value
        try await server.group.shutdownGracefully()
    }

    /// The idle timer is re-armed lazily (a deadline moved per request, one scheduled
    /// check): after many requests the idle timeout still closes the connection.
    func testIdleTimeoutStillFiresAfterManyRequests() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .milliseconds(300)
        let server = try await TestServer(limits: limits)
        let connection = try TestConnection(port: server.port)
        let start = ContinuousClock.now
        var requests = 0
        // Keep it busy past several timer periods: it must not close while requests keep coming.
        while ContinuousClock.now - start < .milliseconds(900) || requests < 100 {
            connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try connection.readResponse().status, 200)
            requests += 1
            if requests % 20 == 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    /// After many requests, a trickled head still gets the header-read 408
    /// (its deadline is shorter than the idle one that was armed before it).
    func testHeaderReadTimeoutStillFiresAfterManyRequests() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .seconds(30)
        limits.headerReadTimeout = .milliseconds(300)
        let server = try await TestServer(limits: limits)
        let connection = try TestConnection(port: server.port)
        for _ in 0..<100 {
            connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try connection.readResponse().status, 200)
        }
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHo")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    /// Backend metadata with CR LF (or NUL, or a name that is not a token) is dropped:
    /// it cannot split the response now that no header validator runs after the handler.
    func testBackendMetadataCannotSplitTheResponse() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        let body = #"{"a":1}"#
        connection.send(
            "POST /v1/echo HTTP/1.1\r\nHost: x\r\nGrpc-Metadata-Split: 1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, body)
        XCTAssertEqual(response.header("grpc-metadata-x-fine"), "ok")
        XCTAssertNil(response.header("grpc-metadata-x-evil"))
        XCTAssertNil(response.header("set-cookie"))
        XCTAssertNil(response.header("grpc-metadata-x-nul"))
        XCTAssertNil(response.header("grpc-trailer-x-evil-trailer"))
        XCTAssertFalse(response.headers.contains { $0.0.lowercased().contains("bad") })
        // Nothing smuggled after the response: the connection carries the next answer cleanly.
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
        XCTAssertFalse(connection.hasPendingInput())
        try await server.stop()
    }
}
