import Edge
import XCTest

/// The listener end to end over real sockets: keep-alive, pipelining, bodies, `Expect`.
final class EdgeServerTests: XCTestCase {
    func testEchoRoundTripWithKeepAlive() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        for index in 0..<3 {
            let body = #"{"n":\#(index)}"#
            connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, body)
            XCTAssertEqual(response.header("content-type"), "application/json")
            XCTAssertNil(response.header("connection"))
        }
        XCTAssertEqual(server.upstream.requests.count, 3)
        try await server.stop()
    }

    func testPipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        var batch = ""
        // The slow one first: the fast ones must wait behind it.
        batch += "GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"
        for index in 0..<3 {
            let body = #"{"i":\#(index)}"#
            batch += "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        connection.send(batch)
        try await waitUntil { server.upstream.heldCount == 1 }
        server.upstream.releaseHeld()
        XCTAssertEqual(try connection.readResponse().body, #"{"slow":true}"#)
        for index in 0..<3 {
            XCTAssertEqual(try connection.readResponse().body, #"{"i":\#(index)}"#)
        }
        try await server.stop()
    }

    func testChunkedBody() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n")
        connection.send("3\r\n42}\r\n0\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, #"{"a":42}"#)
        try await server.stop()
    }

    func testExpectContinueGets100BeforeTheBody() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n")
        let interim = try connection.readResponse()
        XCTAssertEqual(interim.status, 100)
        connection.send(#"{"x":1}"#)
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, #"{"x":1}"#)
        try await server.stop()
    }

    func testExpectContinueRefusedWithoutContinueWhenTooLarge() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("POST /v1/small HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    func testUnknownExpectationIs417() async throws {
        let server = try await TestServer()
        let response = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: something\r\n\r\n{}")
        XCTAssertEqual(response.status, 417)
        try await server.stop()
    }

    func testHTTP10WithoutKeepAliveCloses() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.0\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    func testRouteErrorsKeepTheConnectionWhenNoBodyIsPending() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        let notFound = try connection.readResponse()
        XCTAssertEqual(notFound.status, 404)
        XCTAssertEqual(notFound.body, #"{"code":5,"message":"no route for GET /nowhere","details":[]}"#)
        connection.send("GET /v1/echo HTTP/1.1\r\nHost: x\r\n\r\n")
        let notAllowed = try connection.readResponse()
        XCTAssertEqual(notAllowed.status, 405)
        XCTAssertEqual(notAllowed.header("allow"), "POST")
        XCTAssertTrue(notAllowed.body.hasPrefix(#"{"code":12,"#))
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
        try await server.stop()
    }

    func testTranscodingErrorIs400NamingTheField() async throws {
        let server = try await TestServer()
        let response = try httpRequest(port: server.port, "POST /v1/bad-json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.body, #"{"code":3,"message":"book.pages: expected int32, got \"many\"","details":[]}"#)
        try await server.stop()
    }

    func testEmptyBodyIsAllowedForBodyRoutes() async throws {
        let server = try await TestServer()
        let response = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, "{}")
        try await server.stop()
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
