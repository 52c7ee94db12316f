import Edge
import XCTest

/// The listener end to end over real sockets: keep-alive, pipelining, bodies, `Expect`.
final class EdgeServerTests: XCTestCase {
    /// Runs `body` against a new ``TestServer``; stops the server after, also when `body` throws.
    private func withServer(_ body: (TestServer) async throws -> Void) async throws {
        let server = try await TestServer()
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// Runs `body` with one connection to a new ``TestServer`` (see ``withServer(_:)``).
    private func withConnection(_ body: (TestConnection, TestServer) async throws -> Void) async throws {
        try await withServer { server in try await body(try TestConnection(port: server.port), server) }
    }

    /// A POST of the JSON `body`, with its Content-Length.
    private static func postJSON(_ path: String, _ body: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testEchoRoundTripWithKeepAlive() async throws {
        try await withConnection { connection, server in
            for index in 0..<3 {
                let body = #"{"n":\#(index)}"#
                let response = try connection.exchange(Self.postJSON("/v1/echo", body))
                XCTAssertEqual(response.status, 200)
                XCTAssertEqual(response.body, body)
                XCTAssertEqual(response.header("content-type"), "application/json")
                XCTAssertNil(response.header("connection"))
            }
            XCTAssertEqual(server.upstream.requests.count, 3)
        }
    }

    func testPipelinedRequestsAreAnsweredInOrder() async throws {
        try await withConnection { connection, server in
            var batch = ""
            // The slow one first: the fast ones must wait behind it.
            batch += "GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"
            for index in 0..<3 {
                let body = #"{"i":\#(index)}"#
                batch += Self.postJSON("/v1/echo", body)
            }
            connection.send(batch)
            try await waitUntil { server.upstream.heldCount == 1 }
            server.upstream.releaseHeld()
            XCTAssertEqual(try connection.readResponse().body, #"{"slow":true}"#)
            for index in 0..<3 {
                XCTAssertEqual(try connection.readResponse().body, #"{"i":\#(index)}"#)
            }
        }
    }

    func testChunkedBody() async throws {
        try await withConnection { connection, _ in
            connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n")
            let response = try connection.exchange("3\r\n42}\r\n0\r\n\r\n")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, #"{"a":42}"#)
        }
    }

    func testExpectContinueGets100BeforeTheBody() async throws {
        try await withConnection { connection, _ in
            let interim = try connection.exchange("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n")
            XCTAssertEqual(interim.status, 100)
            let response = try connection.exchange(#"{"x":1}"#)
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, #"{"x":1}"#)
        }
    }

    func testExpectContinueRefusedWithoutContinueWhenTooLarge() async throws {
        try await withConnection { connection, _ in
            let response = try connection.exchange("POST /v1/small HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
            XCTAssertEqual(response.status, 413)
            XCTAssertTrue(connection.waitForClose())
        }
    }

    func testUnknownExpectationIs417() async throws {
        try await withServer { server in
            let response = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: something\r\n\r\n{}")
            XCTAssertEqual(response.status, 417)
        }
    }

    func testHTTP10WithoutKeepAliveCloses() async throws {
        try await withConnection { connection, _ in
            let response = try connection.exchange("GET /v1/status/0 HTTP/1.0\r\n\r\n")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.header("connection"), "close")
            XCTAssertTrue(connection.waitForClose())
        }
    }

    func testRouteErrorsKeepTheConnectionWhenNoBodyIsPending() async throws {
        try await withConnection { connection, _ in
            let notFound = try connection.exchange("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(notFound.status, 404)
            XCTAssertEqual(notFound.body, #"{"code":5,"message":"no route for GET /nowhere","details":[]}"#)
            let notAllowed = try connection.exchange("GET /v1/echo HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(notAllowed.status, 405)
            XCTAssertEqual(notAllowed.header("allow"), "POST")
            XCTAssertTrue(notAllowed.body.hasPrefix(#"{"code":12,"#))
            XCTAssertEqual(try connection.exchange("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n").status, 200)
        }
    }

    func testTranscodingErrorIs400NamingTheField() async throws {
        try await withServer { server in
            let response = try httpRequest(port: server.port, Self.postJSON("/v1/bad-json", "{}"))
            XCTAssertEqual(response.status, 400)
            XCTAssertEqual(response.body, #"{"code":3,"message":"book.pages: expected int32, got \"many\"","details":[]}"#)
        }
    }

    func testEmptyBodyIsAllowedForBodyRoutes() async throws {
        try await withServer { server in
            let response = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, "{}")
        }
    }
}

/// Polls a condition with a generous limit (no timing assertions: only to avoid hanging).
func waitUntil(_ condition: @escaping () -> Bool) async throws {
    for _ in 0..<1000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    XCTFail("condition not met within 10 s")
}
