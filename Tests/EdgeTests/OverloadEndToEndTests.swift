import EdgeDemo
import Foundation
import XCTest

@testable import Edge
@testable import EdgeCore

/// Overload protection over real sockets: a ``ReloadableGateway`` in front of a
/// ``GatedGRPCBackend`` that holds every call until the test lets it go, so the caps are
/// reached exactly (the backend holds N calls), without sleeps.
///
/// Tests that need the server to complete an exchange exactly once on every path (a client
/// gone mid-call, a stream or WebSocket ended by connection loss) say so in their names
/// (`...AfterTheClientLeaves...`).
final class OverloadEndToEndTests: XCTestCase {
    private var backend: GatedGRPCBackend!
    private var harness: ReloadHarness!

    override func setUpWithError() throws {
        backend = try GatedGRPCBackend()
        harness = try ReloadHarness()
    }

    override func tearDownWithError() throws {
        backend?.releaseAll()
        harness?.shutdown()
        backend?.shutdown()
    }

    private func yaml(listen: String = "", cluster: String = "", routes: String = "", port: Int? = nil) -> String {
        """
        listen:
          host: 127.0.0.1
          port: 0
          admin: {host: 127.0.0.1, port: 0}
        \(listen.isEmpty ? "" : "  " + listen)
        descriptors:
          sources: ["\(EndToEndFixture.protosetPath)"]
        clusters:
          - name: demo
            endpoints: ["127.0.0.1:\(port ?? backend.port)"]
            services: [demo.bookstore.v1]
        \(cluster.isEmpty ? "" : "    " + cluster)
        routes:
        \(routes.isEmpty ? "  {}" : routes)

        """
    }

    private func start(listen: String = "", cluster: String = "", routes: String = "") throws {
        try harness.write("edge.yaml", yaml(listen: listen, cluster: cluster, routes: routes))
        try harness.start()
    }

    private var gateway: ReloadableGateway { harness.gateway }

    /// A GET on a connection of its own, answered on another thread.
    private func getInBackground(_ target: String, headers: [(String, String)] = []) -> AsyncResult<EndToEndResponse> {
        let result = AsyncResult<EndToEndResponse>()
        let port = harness.port
        Thread.detachNewThread {
            result.set(Result { try EndToEndClient.send(port: port, "GET", target, headers: headers, readTimeoutSeconds: 30) })
        }
        return result
    }

    private func answer(_ pending: AsyncResult<EndToEndResponse>, file: StaticString = #filePath, line: UInt = #line) throws -> EndToEndResponse {
        let result = try XCTUnwrap(pending.wait(seconds: 30), "no answer", file: file, line: line)
        return try result.get()
    }

    private func routeStats(_ label: String) -> InFlightStats? {
        gateway.store.current.overload.routes.first { $0.name == label }
    }

    private func clusterStats() -> InFlightStats? {
        gateway.store.current.upstream.inFlight(cluster: "demo")
    }

    private func assertRefused(
        _ response: EndToEndResponse, naming expected: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertEqual(response.status, 503, response.body, file: file, line: line)
        let json = try response.json(file: file, line: line)
        XCTAssertEqual(json["code"] as? Int, 14, "UNAVAILABLE", file: file, line: line)
        XCTAssertEqual(json["message"] as? String, expected, file: file, line: line)
        XCTAssertNotNil(response.header("x-request-id"), file: file, line: line)
    }

    // MARK: per route

    private static let shelf = "GET /v1/shelves/{shelf}"
    private static let shelfRefusal = "route GET /v1/shelves/{shelf} has its maximum of 2 requests in flight (max_in_flight); try again later"

    func testTheRouteCapRefusesTheThirdCallBeforeTheBackendAndPassesAgainOnceTheyFinish() throws {
        try start(routes: #"  "GET /v1/shelves/{shelf}": {max_in_flight: 2}"#)
        let held = [getInBackground("/v1/shelves/1"), getInBackground("/v1/shelves/2")]
        XCTAssertTrue(backend.waitUntil { $0.held == 2 })

        try assertRefused(try EndToEndClient.send(port: harness.port, "GET", "/v1/shelves/3"), naming: Self.shelfRefusal)
        XCTAssertEqual(backend.counts.arrived, 2, "the refused call never reached the backend")
        XCTAssertEqual(routeStats(Self.shelf), InFlightStats(name: Self.shelf, inFlight: 2, maximum: 2, refused: 1))
        // Another route is not capped by this one.
        let books = getInBackground("/v1/shelves/1/books")
        XCTAssertTrue(backend.waitUntil { $0.held == 3 })

        backend.releaseAll()
        for pending in held + [books] { XCTAssertEqual(try answer(pending).status, 200) }
        XCTAssertTrue(waitUntil(seconds: 10) { self.routeStats(Self.shelf)?.inFlight == 0 }, "\(String(describing: routeStats(Self.shelf)))")
        let again = [getInBackground("/v1/shelves/4"), getInBackground("/v1/shelves/5")]
        XCTAssertTrue(backend.waitUntil { $0.held == 2 }, "two calls pass again")
        backend.releaseAll()
        for pending in again { XCTAssertEqual(try answer(pending).status, 200) }
    }

    /// A backend that keeps a call past its deadline: the 504 ends the exchange, and its slot
    /// is free without the backend ever answering.
    func testADeadlineGivesTheSlotsBack() throws {
        try start(cluster: "max_requests: 1", routes: #"  "GET /v1/shelves/{shelf}": {max_in_flight: 1}"#)
        let late = try EndToEndClient.send(port: harness.port, "GET", "/v1/shelves/1", headers: [("X-Request-Timeout", "0.3")])
        XCTAssertEqual(late.status, 504, late.body)
        XCTAssertTrue(waitUntil(seconds: 10) { self.routeStats(Self.shelf)?.inFlight == 0 && self.clusterStats()?.inFlight == 0 })
        let next = getInBackground("/v1/shelves/2")
        XCTAssertTrue(backend.waitUntil { $0.arrived == 2 }, "the next call was refused: a slot leaked")
        backend.releaseAll()
        XCTAssertEqual(try answer(next).status, 200)
    }

    /// Needs the server to complete an exchange whose client left while its upstream call ran.
    func testTheRouteSlotIsGivenBackAfterTheClientLeavesMidCall() throws {
        try start(routes: #"  "GET /v1/shelves/{shelf}": {max_in_flight: 1}"#)
        let client = try ClientSocket(port: harness.port, readTimeoutSeconds: 10)
        client.send("GET /v1/shelves/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        client.abort()
        backend.releaseAll()
        XCTAssertTrue(
            waitUntil(seconds: 10) { self.routeStats(Self.shelf)?.inFlight == 0 },
            "the slot of a client that left was not given back: \(String(describing: routeStats(Self.shelf)))")
        let next = getInBackground("/v1/shelves/2")
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        backend.releaseAll()
        XCTAssertEqual(try answer(next).status, 200)
    }

    private static let stream = "GET /v1/shelves/{shelf}/books:stream"

    /// A server stream holds its slot until it ends.
    func testAStreamHoldsItsRouteSlotUntilItEnds() throws {
        try start(routes: #"  "GET /v1/shelves/{shelf}/books:stream": {max_in_flight: 1}"#)
        let first = getInBackground("/v1/shelves/1/books:stream")
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        let refused = try EndToEndClient.send(port: harness.port, "GET", "/v1/shelves/1/books:stream")
        try assertRefused(refused, naming: "route \(Self.stream) has its maximum of 1 requests in flight (max_in_flight); try again later")
        backend.releaseAll()
        XCTAssertEqual(try answer(first).status, 200)
        XCTAssertTrue(waitUntil(seconds: 10) { self.routeStats(Self.stream)?.inFlight == 0 }, "a stream that ended kept its slot")
        let next = getInBackground("/v1/shelves/2/books:stream")
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        backend.releaseAll()
        XCTAssertEqual(try answer(next).status, 200)
    }

    /// The client goes away mid-stream: the edge cancels the call, and the slot comes back.
    /// Needs the server to complete a stream whose client left (exactly-once completions).
    func testAStreamTheClientAbandonsGivesItsRouteSlotBack() throws {
        try start(routes: #"  "GET /v1/shelves/{shelf}/books:stream": {max_in_flight: 1}"#)
        let client = try ClientSocket(port: harness.port, readTimeoutSeconds: 10)
        client.send("GET /v1/shelves/1/books:stream HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        client.abort()
        XCTAssertTrue(backend.waitUntil { $0.resets == 1 }, "the edge did not cancel the abandoned stream")
        XCTAssertTrue(
            waitUntil(seconds: 10) { self.routeStats(Self.stream)?.inFlight == 0 },
            "the slot of an abandoned stream was not given back: \(String(describing: routeStats(Self.stream)))")
    }

    private static let chat = "POST /v1/books:chat"

    /// A WebSocket session holds its route's slot from the upgrade to its end; the upgrade
    /// over the cap is refused with the 503 Status JSON instead of `101`.
    func testAWebSocketSessionHoldsItsRouteSlotUntilItEnds() throws {
        try start(routes: #"  "POST /v1/books:chat": {max_in_flight: 1}"#)
        let first = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat")
        XCTAssertEqual(first.status, 101)
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        let second = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat")
        XCTAssertEqual(second.status, 503, second.body)
        XCTAssertTrue(second.body.contains(#""code":14"#), second.body)
        XCTAssertTrue(second.body.contains("route \(Self.chat) has its maximum of 1 requests in flight (max_in_flight)"), second.body)

        first.sendClose()
        backend.releaseAll()
        let (_, close) = try first.readUntilClose()
        XCTAssertEqual(close.closeCode, 1000)
        XCTAssertTrue(waitUntil(seconds: 10) { self.routeStats(Self.chat)?.inFlight == 0 }, "a session that ended kept its slot")
        let third = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat")
        XCTAssertEqual(third.status, 101, third.body)
    }

    /// A WebSocket session whose connection is lost gives its slot back. Needs the server to
    /// complete a session ended by connection loss (exactly-once completions).
    func testAWebSocketSessionLostGivesItsRouteSlotBack() throws {
        try start(routes: #"  "POST /v1/books:chat": {max_in_flight: 1}"#)
        let first = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat")
        XCTAssertEqual(first.status, 101)
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        first.drop()
        XCTAssertTrue(backend.waitUntil { $0.resets == 1 }, "the edge did not cancel the lost session's call")
        XCTAssertTrue(
            waitUntil(seconds: 10) { self.routeStats(Self.chat)?.inFlight == 0 },
            "the slot of a lost session was not given back: \(String(describing: routeStats(Self.chat)))")
        let next = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat")
        XCTAssertEqual(next.status, 101, next.body)
    }

    // MARK: per cluster

    private static let clusterRefusal = "cluster demo has its maximum of 2 requests in flight (max_requests); try again later"

    func testTheClusterCapCountsCallsOfEveryRouteAndFailsFastWith503() throws {
        try start(cluster: "max_requests: 2")
        let held = [getInBackground("/v1/shelves/1"), getInBackground("/v1/shelves/1/books")]
        XCTAssertTrue(backend.waitUntil { $0.held == 2 })
        XCTAssertEqual(clusterStats(), InFlightStats(name: "demo", inFlight: 2, maximum: 2, refused: 0))

        try assertRefused(try EndToEndClient.send(port: harness.port, "GET", "/v1/shelves/1/books/2"), naming: Self.clusterRefusal)
        XCTAssertEqual(backend.counts.arrived, 2, "the refused call never reached the backend")
        XCTAssertEqual(clusterStats()?.refused, 1)
        XCTAssertEqual(gateway.store.current.overload.clusters.map(\.name), ["demo"])
        XCTAssertEqual(
            gateway.store.current.upstream.upstreamStatus().first?.circuitBreaker.state, "closed",
            "refusals at the cap are not the backend's failures")

        backend.releaseAll()
        for pending in held { XCTAssertEqual(try answer(pending).status, 200) }
        XCTAssertTrue(waitUntil(seconds: 10) { self.clusterStats()?.inFlight == 0 })
        let again = [getInBackground("/v1/shelves/1"), getInBackground("/v1/shelves/2")]
        XCTAssertTrue(backend.waitUntil { $0.held == 2 }, "two calls pass again")
        backend.releaseAll()
        for pending in again { XCTAssertEqual(try answer(pending).status, 200) }
    }

    /// Streams count against `max_requests` like unary calls; a stream the client abandons is
    /// cancelled and gives its slot back.
    func testAStreamHoldsAClusterSlotUntilCancelled() throws {
        try start(cluster: "max_requests: 1")
        let client = try ClientSocket(port: harness.port, readTimeoutSeconds: 10)
        client.send("GET /v1/shelves/1/books:stream HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(backend.waitUntil { $0.held == 1 })
        let refused = try EndToEndClient.send(port: harness.port, "GET", "/v1/shelves/1")
        try assertRefused(refused, naming: "cluster demo has its maximum of 1 requests in flight (max_requests); try again later")

        client.abort()
        XCTAssertTrue(backend.waitUntil { $0.resets == 1 }, "the edge did not cancel the abandoned stream")
        XCTAssertTrue(waitUntil(seconds: 10) { self.clusterStats()?.inFlight == 0 }, "\(String(describing: clusterStats()))")
        let next = getInBackground("/v1/shelves/1")
        XCTAssertTrue(backend.waitUntil { $0.arrived == 2 })
        backend.releaseAll()
        XCTAssertEqual(try answer(next).status, 200)
    }

    // MARK: reload

    /// A reload changes the caps; the calls in flight across it keep their slots in the same
    /// counts (not reset to zero, not leaked), and give them back when they end.
    func testAReloadKeepsCountingTheCallsInFlight() throws {
        try start(cluster: "max_requests: 5", routes: #"  "GET /v1/shelves/{shelf}": {max_in_flight: 2}"#)
        let held = [getInBackground("/v1/shelves/1"), getInBackground("/v1/shelves/2")]
        XCTAssertTrue(backend.waitUntil { $0.held == 2 })

        try harness.write("edge.yaml", yaml(cluster: "max_requests: 3", routes: #"  "GET /v1/shelves/{shelf}": {max_in_flight: 3}"#))
        XCTAssertEqual(harness.reload(), .reloaded(generation: 2, routes: gateway.store.current.routes.count))
        XCTAssertEqual(routeStats(Self.shelf), InFlightStats(name: Self.shelf, inFlight: 2, maximum: 3, refused: 0))
        XCTAssertEqual(clusterStats(), InFlightStats(name: "demo", inFlight: 2, maximum: 3, refused: 0))
        let third = getInBackground("/v1/shelves/3")
        XCTAssertTrue(backend.waitUntil { $0.held == 3 })
        let refused = try EndToEndClient.send(port: harness.port, "GET", "/v1/shelves/4")
        XCTAssertEqual(refused.status, 503, "the calls from before the reload still count")

        backend.releaseAll()
        for pending in held + [third] { XCTAssertEqual(try answer(pending).status, 200) }
        XCTAssertTrue(waitUntil(seconds: 10) { self.routeStats(Self.shelf)?.inFlight == 0 && self.clusterStats()?.inFlight == 0 })
    }

    // MARK: per listener

    private func openConnection() throws -> ClientSocket {
        try ClientSocket(port: harness.port, readTimeoutSeconds: 10)
    }

    /// A request on `connection`, held by the backend, then let go: its status.
    private func served(on connection: ClientSocket, _ target: String = "/v1/shelves/1") throws -> Int {
        let before = backend.counts.arrived
        connection.send("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(backend.waitUntil { $0.arrived == before + 1 })
        backend.releaseAll()
        return try connection.readHeadFields().status
    }

    func testTheThirdConnectionIsClosedAtOnceAndAFreedPlaceIsServed() throws {
        try start(listen: "max_connections: 2")
        let limit = gateway.server.connectionLimit
        let first = try openConnection()
        let second = try openConnection()
        XCTAssertTrue(waitUntil(seconds: 10) { limit.stats.open == 2 })

        let third = try openConnection()
        XCTAssertTrue(third.waitForClose(), "the connection over the cap was not closed")
        XCTAssertEqual(limit.stats, ListenerConnectionStats(open: 2, maximum: 2, accepted: 2, refused: 1))

        // The two let in are served.
        XCTAssertEqual(try served(on: first), 200)

        second.abort()
        XCTAssertTrue(waitUntil(seconds: 10) { limit.stats.open == 1 })
        let fourth = try openConnection()
        XCTAssertEqual(try served(on: fourth), 200, "a freed place is served")
        XCTAssertEqual(limit.stats.refused, 1)
    }

    /// TLS connections count from their accept: one that never handshakes holds the only
    /// place, and the next is closed before its handshake.
    func testTLSConnectionsCountBeforeTheirHandshake() throws {
        let files = try TLSTestFiles(directory: harness.path("tls"))
        try start(listen: "max_connections: 1\n  tls: {certificates: [{cert_file: tls/a.pem, key_file: tls/a.key}]}")
        let limit = gateway.server.connectionLimit
        let client = TLSTestClient(port: harness.port, ca: files.path("ca.pem"), sni: "a.example.com")
        let silent = try openConnection()
        XCTAssertTrue(waitUntil(seconds: 10) { limit.stats.open == 1 })
        let refused = try client.connect(request: "GET /v1/nowhere")
        XCTAssertFalse(refused.ok, "\(refused)")
        XCTAssertEqual(refused.stage, "handshake", "\(refused)")
        XCTAssertEqual(limit.stats.refused, 1)

        silent.abort()
        XCTAssertTrue(waitUntil(seconds: 10) { limit.stats.open == 0 })
        let served = try client.connect(request: "GET /v1/nowhere")
        XCTAssertTrue(served.ok, "\(served)")
        XCTAssertEqual(served.status, 404)
    }

    func testTheConnectionCapReloads() throws {
        try start(listen: "max_connections: 1")
        let limit = gateway.server.connectionLimit
        let first = try openConnection()
        XCTAssertTrue(waitUntil(seconds: 10) { limit.stats.open == 1 })
        XCTAssertTrue(try openConnection().waitForClose())

        try harness.write("edge.yaml", yaml(listen: "max_connections: 2"))
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertEqual(limit.stats.maximum, 2)
        let second = try openConnection()
        XCTAssertTrue(waitUntil(seconds: 10) { limit.stats.open == 2 }, "the raised cap lets a second connection in")
        XCTAssertTrue(try openConnection().waitForClose())
        XCTAssertEqual(limit.stats.refused, 2)
        _ = (first, second)
    }
}
