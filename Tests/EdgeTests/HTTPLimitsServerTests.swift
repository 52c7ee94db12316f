import Edge
import NIOCore
import XCTest
import EdgeConfig

/// Limits, smuggling defences and timeouts, with exact bytes over real sockets.
final class HTTPLimitsServerTests: XCTestCase {
    func testBodyOverRouteLimitByContentLengthIs413AndCloses() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        let body = String(repeating: "x", count: 17)
        connection.send("POST /v1/small HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n\(body)")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(response.body.hasPrefix(#"{"code":8,"message":"request body exceeds the limit of 16 bytes""#))
        XCTAssertTrue(connection.waitForClose())
        XCTAssertTrue(server.upstream.requests.isEmpty)
        try await server.stop()
    }

    func testChunkedBodyOverLimitIsCutOffAsItArrives() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("POST /v1/small HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        connection.send("a\r\n0123456789\r\n")
        connection.send("a\r\n0123456789\r\n")  // 20 > 16, before the terminating chunk
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    func testListenerBodyLimitAppliesByDefault() async throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 1 << 20
        let server = try await TestServer(limits: limits)
        let body = "[" + String(repeating: "1,", count: 40) + "1]"
        let response = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        XCTAssertEqual(response.status, 200)
        try await server.stop()
    }

    func testLongURLIs414() async throws {
        var limits = HTTPLimits()
        limits.maxURLBytes = 100
        let server = try await TestServer(limits: limits)
        let response = try httpRequest(port: server.port, "GET /v1/status/0?q=\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(response.status, 414)
        XCTAssertTrue(response.body.contains("exceeds the limit of 100 bytes"))
        try await server.stop()
    }

    func testLargeHeaderBlockIs431() async throws {
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 1024
        let server = try await TestServer(limits: limits)
        let response = try httpRequest(port: server.port, "GET /v1/status/0 HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 2000))\r\n\r\n")
        XCTAssertEqual(response.status, 431)
        XCTAssertTrue(response.body.hasPrefix(#"{"code":8,"#))
        try await server.stop()
    }

    func testHugeHeaderBlockStoppedByTheDecoderIs431() async throws {
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 1024
        limits.maxURLBytes = 1024
        let server = try await TestServer(limits: limits)
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 10_000))")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 431)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    func testNonJSONBodyIs415() async throws {
        let server = try await TestServer()
        for contentType in ["text/plain", "application/json; charset=latin1", "application/xml"] {
            let response = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: \(contentType)\r\nContent-Length: 2\r\n\r\n{}")
            XCTAssertEqual(response.status, 415, contentType)
            XCTAssertTrue(response.body.hasPrefix(#"{"code":3,"#))
        }
        let missing = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertEqual(missing.status, 415)
        let vendor = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.api+json; charset=UTF-8\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertEqual(vendor.status, 200)
        try await server.stop()
    }

    func testBodyOnARouteWithoutBodyIs400() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertTrue(response.body.contains("takes no request body"))
        try await server.stop()
    }

    func testContentLengthWithTransferEncodingIs400AndCloses() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.header("connection"), "close")
        XCTAssertTrue(response.body.hasPrefix(#"{"code":3,"#))
        // The smuggled second request is never answered.
        XCTAssertTrue(connection.waitForClose())
        XCTAssertTrue(server.upstream.requests.isEmpty)
        try await server.stop()
    }

    func testTwoDifferentContentLengthsIs400AndCloses() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\n{}")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertTrue(connection.waitForClose())
        XCTAssertTrue(server.upstream.requests.isEmpty)
        try await server.stop()
    }

    func testMalformedRequestLineIs400AndCloses() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        connection.send("NOT A REQUEST\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    func testTrickledHeadersAreCutOffWith408() async throws {
        var limits = HTTPLimits()
        limits.headerReadTimeout = .milliseconds(300)
        let server = try await TestServer(limits: limits)
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.1\r\n")
        // Keep sending header lines, each well within the deadline, until the server answers:
        // the deadline runs from the first byte, so steady trickling does not extend it.
        for index in 0..<400 where !connection.hasPendingInput() {
            connection.send("X-H\(index): v\r\n")
            try await Task.sleep(for: .milliseconds(25))
        }
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(response.body.hasPrefix(#"{"code":4,"#))
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    func testTrickledBodyIsCutOffWith408() async throws {
        var limits = HTTPLimits()
        limits.bodyReadTimeout = .milliseconds(300)
        let server = try await TestServer(limits: limits)
        let connection = try TestConnection(port: server.port)
        connection.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        for _ in 0..<400 where !connection.hasPendingInput() {
            connection.send(" ")
            try await Task.sleep(for: .milliseconds(25))
        }
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertEqual(response.body, #"{"code":4,"message":"request body not received in time","details":[]}"#)
        XCTAssertTrue(connection.waitForClose())
        XCTAssertTrue(server.upstream.requests.isEmpty)
        try await server.stop()
    }

    func testIdleConnectionIsClosed() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .milliseconds(200)
        let server = try await TestServer(limits: limits)
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().status, 200)
        XCTAssertTrue(connection.waitForClose())
        try await server.stop()
    }

    func testSlowUpstreamIsNotCutByTheIdleTimeout() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .milliseconds(100)
        let server = try await TestServer(limits: limits)
        let connection = try TestConnection(port: server.port)
        connection.send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { server.upstream.heldCount == 1 }
        try await Task.sleep(for: .milliseconds(300))
        server.upstream.releaseHeld()
        XCTAssertEqual(try connection.readResponse().status, 200)
        try await server.stop()
    }
}
