import Edge
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import XCTest
import EdgeConfig
import EdgePolicy

final class AdminServerTests: XCTestCase {
    func testAdminEndpoints() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let reachable = NIOLockedValueBox(true)
        let metrics = EdgeMetrics()
        let started = NIODeadline.now() - TimeAmount.milliseconds(3)
        let exchange = PolicyExchange(
            head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/x"), connection: ConnectionInfo(),
            route: RouteIdentity(label: "GET /v1/x", method: ""), requestID: "r")
        metrics.exchangeCompleted(exchange, outcome: ExchangeOutcome(status: 200, started: started, label: "GET /v1/x"))
        let admin = AdminServer(
            settings: .init(host: "127.0.0.1", port: 0),
            routes: [RouteDescription(httpMethod: "GET", pattern: "/v1/{name=books/*}", grpcMethod: "shop.v1.Catalog.GetBook", cluster: "shop")],
            metrics: metrics, upstreamsReachable: { reachable.withLockedValue { $0 } }, group: group)
        let port = try await admin.start().port!

        let health = try httpRequest(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(health.status, 200)

        XCTAssertEqual(try httpRequest(port: port, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").status, 503)
        admin.markReady(true)
        XCTAssertEqual(try httpRequest(port: port, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").status, 200)
        reachable.withLockedValue { $0 = false }
        XCTAssertEqual(try httpRequest(port: port, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").status, 503)

        let routes = try httpRequest(port: port, "GET /admin/routes HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(routes.status, 200)
        XCTAssertEqual(routes.body, #"{"routes":[{"method":"GET","pattern":"/v1/{name=books/*}","grpc_method":"shop.v1.Catalog.GetBook","body":"","response_body":"","cluster":"shop"}]}"#)

        let scraped = try httpRequest(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(scraped.status, 200)
        XCTAssertTrue(scraped.header("content-type")?.hasPrefix("text/plain") ?? false)
        XCTAssertTrue(scraped.body.contains(#"edge_http_requests_total{route="GET /v1/x",grpc_method="",status="200",grpc_code=""} 1"#), scraped.body)

        let missing = try httpRequest(port: port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.body, #"{"code":5,"message":"no route for GET /nope","details":[]}"#)
        XCTAssertEqual(try httpRequest(port: port, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status, 405)

        await admin.stop()
        try await group.shutdownGracefully()
    }
}
