import DescriptorLoader
import Edge
import EdgeDemo
import Foundation
import NIOCore
import NIOPosix
import XCTest
import EdgeConfig
import EdgePolicy
import EdgeUpstream

/// The circuit breaker through the real edge: HTTP/1.1 client → ``EdgeServer`` →
/// ``UpstreamPool`` → the demo bookstore (or a closed port), and `GET /admin/upstreams`
/// on a real ``AdminServer``.
final class CircuitBreakerEndToEndTests: XCTestCase {
    func testOpensAfterConsecutiveFailuresFailsFastThenAProbeCloses() throws {
        let port = try EndToEndFixture.closedPort()
        let edge = try ResilienceEdge.startBlocking(endpoints: [port], clusterYAML: """
                circuit_breaker: {consecutive_failures: 3, error_rate: 0, open_timeout: 2s}
                outlier_detection: false
            """)
        defer { edge.stopBlocking() }

        for _ in 0..<3 {
            let response = try edge.send("GET", "/v1/shelves")
            XCTAssertEqual(response.status, 503, response.body)
            XCTAssertTrue((try response.json()["message"] as? String)?.contains("cannot connect") == true, response.body)
        }
        let rejected = try edge.send("GET", "/v1/shelves")
        XCTAssertEqual(rejected.status, 503, rejected.body)
        let status = try rejected.json()
        XCTAssertEqual(status["code"] as? Int, 14)
        XCTAssertEqual(status["message"] as? String, "circuit breaker open for cluster demo")
        XCTAssertEqual((status["details"] as? [Any])?.count, 0)

        var breaker = try edge.breaker()
        XCTAssertTrue(["open", "half_open"].contains(breaker["state"] as? String), "\(breaker)")
        XCTAssertEqual(breaker["times_opened"] as? Int, 1)
        XCTAssertGreaterThanOrEqual(breaker["rejected_calls"] as? Int ?? 0, 1)

        // The backend comes up on that port; after open_timeout a probe goes through and closes the breaker.
        let demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: port) }
        defer { _ = try? EndToEndFixture.blocking { await demo.shutdown(gracePeriod: .seconds(1)) } }
        let ok = try ResilienceEdge.poll("a call succeeds") {
            let response = try edge.send("GET", "/v1/shelves")
            return response.status == 200 ? response : nil
        }
        XCTAssertEqual(ok.status, 200)
        breaker = try edge.breaker()
        XCTAssertEqual(breaker["state"] as? String, "closed")
        XCTAssertEqual(breaker["times_opened"] as? Int, 1)
        XCTAssertEqual(breaker["consecutive_failures"] as? Int, 0)
        for _ in 0..<5 { XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 200) }
    }

    func testAFailedProbeOpensItAgain() throws {
        let port = try EndToEndFixture.closedPort()
        let edge = try ResilienceEdge.startBlocking(endpoints: [port], clusterYAML: """
                circuit_breaker: {consecutive_failures: 2, error_rate: 0, open_timeout: 1s, max_open_timeout: 2s}
            """)
        defer { edge.stopBlocking() }
        for _ in 0..<2 { XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 503) }
        XCTAssertEqual(try edge.send("GET", "/v1/shelves").json()["message"] as? String, "circuit breaker open for cluster demo")
        // Keep calling: once the timeout passes, one call is let through as a probe, fails, and opens the breaker again.
        _ = try ResilienceEdge.poll("the breaker opened a second time") {
            _ = try edge.send("GET", "/v1/shelves")
            return (try edge.breaker()["times_opened"] as? Int ?? 0) >= 2 ? true : nil
        }
        XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 503)
    }

    func testErrorRateOverTheWindowOpensIt() throws {
        let edge = try ResilienceEdge.startBlocking(endpoints: nil, clusterYAML: """
                circuit_breaker: {consecutive_failures: 0, error_rate: 0.5, window: 60s, min_requests: 4, open_timeout: 60s}
            """)
        defer { edge.stopBlocking() }
        XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 200)
        XCTAssertEqual(try edge.send("GET", "/v1/debug/fail/INTERNAL").status, 500)
        XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 200)
        var breaker = try edge.breaker()
        XCTAssertEqual(breaker["state"] as? String, "closed")
        XCTAssertEqual(breaker["window_requests"] as? Int, 3)
        XCTAssertEqual(breaker["window_failures"] as? Int, 1)
        // The fourth call makes 2 failures in 4 (50%): open.
        XCTAssertEqual(try edge.send("GET", "/v1/debug/fail/DATA_LOSS").status, 500)
        let rejected = try edge.send("GET", "/v1/shelves")
        XCTAssertEqual(rejected.status, 503)
        XCTAssertEqual(try rejected.json()["message"] as? String, "circuit breaker open for cluster demo")
        breaker = try edge.breaker()
        XCTAssertEqual(breaker["state"] as? String, "open")
        XCTAssertEqual(breaker["rejected_calls"] as? Int, 1)
    }

    func testClientErrorsDoNotOpenIt() throws {
        let edge = try ResilienceEdge.startBlocking(endpoints: nil, clusterYAML: """
                circuit_breaker: {consecutive_failures: 2, error_rate: 0.1, min_requests: 2}
            """)
        defer { edge.stopBlocking() }
        for code in ["INVALID_ARGUMENT", "NOT_FOUND", "PERMISSION_DENIED", "FAILED_PRECONDITION", "ALREADY_EXISTS", "UNAUTHENTICATED"] {
            let response = try edge.send("GET", "/v1/debug/fail/\(code)")
            XCTAssertTrue((400..<500).contains(response.status), "\(code): \(response.status)")
        }
        XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 200)
        XCTAssertEqual(try edge.breaker()["state"] as? String, "closed")
    }

    func testDisabledBreakerNeverOpens() throws {
        let port = try EndToEndFixture.closedPort()
        let edge = try ResilienceEdge.startBlocking(endpoints: [port], clusterYAML: """
                circuit_breaker: {enabled: false}
            """)
        defer { edge.stopBlocking() }
        for _ in 0..<8 {
            let response = try edge.send("GET", "/v1/shelves")
            XCTAssertEqual(response.status, 503)
            XCTAssertTrue((try response.json()["message"] as? String)?.contains("cannot connect") == true, response.body)
        }
        let breaker = try edge.breaker()
        XCTAssertEqual(breaker["enabled"] as? Bool, false)
        XCTAssertEqual(breaker["state"] as? String, "closed")
    }
}

/// The edge through the one assembly `edge serve` uses (``ReloadableGateway``) with one cluster
/// `demo` whose extra keys the test writes, plus the admin listener with
/// `GET /admin/upstreams`; optionally an in-process demo bookstore to call.
final class ResilienceEdge: Sendable {
    let demo: RunningDemoServer?
    let group: MultiThreadedEventLoopGroup
    let gateway: ReloadableGateway
    var upstream: UpstreamPool { gateway.store.current.upstream }
    let port: Int
    let adminPort: Int

    private init(
        demo: RunningDemoServer?, group: MultiThreadedEventLoopGroup, gateway: ReloadableGateway, port: Int, adminPort: Int
    ) {
        self.demo = demo
        self.group = group
        self.gateway = gateway
        self.port = port
        self.adminPort = adminPort
    }

    /// - Parameters:
    ///   - endpoints: the cluster's ports on 127.0.0.1; nil: one demo bookstore started here.
    ///   - clusterYAML: more keys of the cluster, indented by four spaces.
    static func start(endpoints: [Int]?, clusterYAML: String) async throws -> ResilienceEdge {
        let demo = endpoints == nil ? try await DemoServer.start(host: "127.0.0.1", port: 0) : nil
        let ports = endpoints ?? [demo!.port]
        let yaml = EndToEndFixture.gatewayYAML(ports: ports, clusterKeys: clusterYAML)
        let config: EdgeConfig
        switch ConfigLoader.parse(yaml: yaml) {
        case .success(let parsed): config = parsed
        case .failure(let error): throw error
        }
        let schema = try EndToEndFixture.cliSchema()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let gateway = try await ReloadableGateway.load(config: config, schema: schema, group: group)
        try await gateway.start(handleSIGHUP: false)
        return ResilienceEdge(
            demo: demo, group: group, gateway: gateway, port: gateway.server.localAddress!.port!,
            adminPort: gateway.admin.localAddress!.port!)
    }

    static func startBlocking(endpoints: [Int]?, clusterYAML: String) throws -> ResilienceEdge {
        try EndToEndFixture.blocking { try await start(endpoints: endpoints, clusterYAML: clusterYAML) }
    }

    func stopBlocking() {
        _ = try? EndToEndFixture.blocking { [self] in
            await self.gateway.shutdown()
            try? await self.group.shutdownGracefully()
            await self.demo?.shutdown(gracePeriod: .seconds(1))
        }
    }

    func send(_ method: String, _ target: String, body: String? = nil) throws -> EndToEndResponse {
        try EndToEndClient.send(port: self.port, method, target, body: body)
    }

    /// `GET /admin/upstreams`, the `demo` cluster's object.
    func cluster() throws -> [String: Any] {
        let response = try EndToEndClient.send(port: self.adminPort, "GET", "/admin/upstreams")
        guard response.status == 200 else { throw ResilienceFailure("/admin/upstreams answered \(response.status): \(response.body)") }
        let clusters = try XCTUnwrap(try response.json()["clusters"] as? [[String: Any]], response.body)
        return try XCTUnwrap(clusters.first { $0["name"] as? String == "demo" }, response.body)
    }

    func breaker() throws -> [String: Any] {
        try XCTUnwrap(try self.cluster()["circuit_breaker"] as? [String: Any])
    }

    func endpoints() throws -> [[String: Any]] {
        try XCTUnwrap(try self.cluster()["endpoints"] as? [[String: Any]])
    }

    /// Calls `body` every 20 ms until it returns a value; fails after `timeout` seconds.
    static func poll<T>(_ what: String, timeout: Double = 15, _ body: () throws -> T?) throws -> T {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let value = try body() { return value }
            usleep(20_000)
        }
        throw ResilienceFailure("timed out after \(timeout) s waiting until \(what)")
    }
}

struct ResilienceFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
