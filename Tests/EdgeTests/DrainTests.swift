import Edge
import XCTest
import EdgeConfig

/// Graceful shutdown: in-flight requests finish, new connections are refused, idle ones close.
final class DrainTests: XCTestCase {
    func testInFlightRequestCompletesWhileNewConnectionsAreRefused() async throws {
        let server = try await TestServer()
        let idle = try TestConnection(port: server.port)
        let busy = try TestConnection(port: server.port)
        busy.send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { server.upstream.heldCount == 1 }

        let edge = server.server
        let shutdown = Task { await edge.shutdown() }
        // The listening socket closes first.
        try await waitUntil { (try? TestConnection(port: server.port)) == nil }
        XCTAssertTrue(idle.waitForClose())

        server.upstream.releaseHeld()
        let response = try busy.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, #"{"slow":true}"#)
        // The drain reaches each connection on its own event loop: the busy one may answer before
        // it learns of it (no `connection: close` then), but it closes right after either way.
        if let connection = response.header("connection") { XCTAssertEqual(connection, "close") }
        XCTAssertTrue(busy.waitForClose())
        await shutdown.value
        try await server.group.shutdownGracefully()
    }

    func testDrainTimeoutClosesWhatIsLeft() async throws {
        var limits = HTTPLimits()
        limits.drainTimeout = .milliseconds(200)
        let server = try await TestServer(limits: limits)
        let busy = try TestConnection(port: server.port)
        busy.send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { server.upstream.heldCount == 1 }
        await server.server.shutdown()
        XCTAssertTrue(busy.waitForClose())
        server.upstream.releaseHeld()
        try await server.group.shutdownGracefully()
    }
}
