import Edge
import XCTest
import EdgeConfig
import EdgeCore

/// Headers to metadata and back, through the whole server.
final class MetadataServerTests: XCTestCase {
    func testRequestHeadersBecomeAllowListedMetadata() async throws {
        let server = try await TestServer(metadata: MetadataPolicy(forwardedHeaders: ["X-Tenant"]))
        let response = try httpRequest(port: server.port, """
            POST /v1/echo HTTP/1.1\r
            Host: api.example.com\r
            Content-Type: application/json\r
            Content-Length: 2\r
            Authorization: Bearer t0k\r
            Grpc-Metadata-User: alice\r
            Grpc-Metadata-Blob-Bin: AAEC\r
            X-Tenant: acme\r
            X-Not-Listed: no\r
            Connection: keep-alive, X-Drop-Me\r
            X-Drop-Me: secret\r
            Keep-Alive: timeout=5\r
            X-Forwarded-For: 10.0.0.1\r
            grpc-timeout: 2S\r
            \r
            {}
            """)
        XCTAssertEqual(response.status, 200)
        let request = try XCTUnwrap(server.upstream.requests.last)
        let metadata = Dictionary(request.metadata.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        XCTAssertEqual(metadata["authorization"], "Bearer t0k")
        XCTAssertEqual(metadata["user"], "alice")
        XCTAssertEqual(metadata["blob-bin"], "AAEC")
        XCTAssertEqual(metadata["x-tenant"], "acme")
        XCTAssertNil(metadata["x-not-listed"])
        XCTAssertNil(metadata["x-drop-me"])
        XCTAssertNil(metadata["keep-alive"])
        XCTAssertNil(metadata["connection"])
        XCTAssertNil(metadata["grpc-timeout"])
        XCTAssertEqual(metadata["x-forwarded-for"], "10.0.0.1, 127.0.0.1")
        XCTAssertEqual(metadata["x-forwarded-host"], "api.example.com")
        XCTAssertEqual(metadata["x-forwarded-proto"], "http")
        let requestID = try XCTUnwrap(metadata["x-request-id"])
        XCTAssertEqual(requestID.count, 32)
        XCTAssertEqual(response.header("x-request-id"), requestID)
        XCTAssertEqual(request.path, "/test.Echo/Echo")
        XCTAssertEqual(request.service, "test.Echo")
        try await server.stop()
    }

    func testClientRequestIDIsKept() async throws {
        let server = try await TestServer()
        let response = try httpRequest(port: server.port, "GET /v1/status/0 HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\n\r\n")
        XCTAssertEqual(response.header("x-request-id"), "abc-123")
        let metadata = try XCTUnwrap(server.upstream.requests.last).metadata
        XCTAssertTrue(metadata.contains { $0.name == "x-request-id" && $0.value == "abc-123" })
        try await server.stop()
    }

    func testInvalidBinaryMetadataIs400() async throws {
        let server = try await TestServer()
        let response = try httpRequest(port: server.port, "GET /v1/status/0 HTTP/1.1\r\nHost: x\r\nGrpc-Metadata-Blob-Bin: not base64!\r\n\r\n")
        XCTAssertEqual(response.status, 400)
        XCTAssertTrue(response.body.contains("must be base64"), response.body)
        XCTAssertTrue(server.upstream.requests.isEmpty)
        try await server.stop()
    }

    func testResponseMetadataBecomesHeaders() async throws {
        let server = try await TestServer()
        let response = try httpRequest(port: server.port, "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertEqual(response.header("grpc-metadata-x-backend"), "fake")
        XCTAssertEqual(response.header("grpc-metadata-trace-bin"), "AAEC")
        XCTAssertEqual(response.header("grpc-trailer-x-served-by"), "echo")
        try await server.stop()
    }

    func testDeadlineFromHeadersIsClampedToTheRouteMaximum() async throws {
        let server = try await TestServer()
        let before = NIODeadlineProbe.now()
        _ = try httpRequest(port: server.port, "GET /v1/status/0 HTTP/1.1\r\nHost: x\r\ngrpc-timeout: 5H\r\n\r\n")
        _ = try httpRequest(port: server.port, "GET /v1/status/0 HTTP/1.1\r\nHost: x\r\nX-Request-Timeout: 0.5\r\n\r\n")
        let after = NIODeadlineProbe.now()
        let requests = server.upstream.requests
        // Route maximum is 60 s (RouteSettings defaults): 5H is clamped.
        XCTAssertLessThanOrEqual(requests[0].deadline.uptimeNanoseconds, after + 60_000_000_000)
        XCTAssertGreaterThanOrEqual(requests[0].deadline.uptimeNanoseconds, before + 60_000_000_000)
        XCTAssertLessThanOrEqual(requests[1].deadline.uptimeNanoseconds, after + 500_000_000)
        XCTAssertGreaterThanOrEqual(requests[1].deadline.uptimeNanoseconds, before + 500_000_000)
        let bad = try httpRequest(port: server.port, "GET /v1/status/0 HTTP/1.1\r\nHost: x\r\ngrpc-timeout: soon\r\n\r\n")
        XCTAssertEqual(bad.status, 400)
        try await server.stop()
    }
}

import NIOCore

enum NIODeadlineProbe {
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}
