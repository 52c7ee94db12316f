import EdgeDemo
import Foundation
import XCTest

@testable import Edge
@testable import EdgeUpstream

/// `/readyz`'s upstream part: health checks where a cluster has them, TCP reachability
/// where it does not (``UpstreamReadiness``).
final class UpstreamReadinessTests: XCTestCase {
    private func cluster(_ name: String, healthChecks: Bool, health: [String]) -> UpstreamClusterStatus {
        UpstreamClusterStatus(
            name: name,
            circuitBreaker: CircuitBreakerStatus(
                enabled: true, state: "closed", since: Date(), consecutiveFailures: 0, windowRequests: 0, windowFailures: 0,
                timesOpened: 0, rejectedCalls: 0, retryInSeconds: nil),
            healthChecks: healthChecks, outlierDetection: true, panic: false,
            endpoints: health.enumerated().map { index, health in
                UpstreamEndpointStatus(
                    address: "10.0.0.\(index):1", health: health, inRotation: health != "unhealthy", lastCheck: nil, lastError: nil,
                    ejected: false, ejectedForSeconds: nil, ejections: 0, consecutiveFailures: 0)
            },
            stats: UpstreamStats())
    }

    func testHealthCheckedClustersNeedAHealthyEndpoint() {
        let reachable: (String) -> Bool = { _ in true }
        XCTAssertTrue(UpstreamReadiness.isReady([cluster("a", healthChecks: true, health: ["unhealthy", "healthy"])], reachable: reachable))
        XCTAssertFalse(UpstreamReadiness.isReady([cluster("a", healthChecks: true, health: ["unhealthy", "unhealthy"])], reachable: reachable))
        XCTAssertFalse(
            UpstreamReadiness.isReady([cluster("a", healthChecks: true, health: ["unknown"])], reachable: reachable),
            "not ready before the first check passes")
    }

    func testOtherClustersNeedTheTCPProbe() {
        let clusters = [cluster("a", healthChecks: false, health: ["unknown"]), cluster("b", healthChecks: true, health: ["healthy"])]
        XCTAssertTrue(UpstreamReadiness.isReady(clusters, reachable: { $0 == "a" }))
        XCTAssertFalse(UpstreamReadiness.isReady(clusters, reachable: { $0 == "b" }), "b's probe does not matter, a's does")
        XCTAssertTrue(UpstreamReadiness.isReady([], reachable: { _ in false }))
    }

    /// The demo registers no health service: with health checks on, its endpoint is
    /// unhealthy although it accepts connections and answers calls (panic mode), so the
    /// edge is not ready; a reload that turns the checks off makes it ready.
    func testReadyzFollowsHealthChecksAcrossAReload() throws {
        let demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        defer { _ = try? EndToEndFixture.blocking { await demo.shutdown(gracePeriod: .seconds(1)) } }
        let harness = try ReloadHarness()
        defer { harness.shutdown() }
        func config(healthCheck: Bool) -> String {
            EndToEndFixture.gatewayYAML(
                ports: [demo.port],
                clusterKeys: healthCheck ? "    health_check: {interval: 50ms, timeout: 1s, unhealthy_threshold: 1, healthy_threshold: 1}" : "")
        }
        try harness.write("edge.yaml", config(healthCheck: true))
        try harness.start()
        let adminPort = harness.adminPort
        func readyz() -> Int { (try? EndToEndClient.send(port: adminPort, "GET", "/readyz").status) ?? 0 }
        XCTAssertTrue(waitUntil(seconds: 10) {
            let body = (try? EndToEndClient.send(port: adminPort, "GET", "/admin/upstreams").body) ?? ""
            return body.contains(#""health":"unhealthy""#)
        }, "the health check ran")
        for _ in 0..<5 {
            XCTAssertEqual(readyz(), 503, "an unhealthy cluster: not ready")
            usleep(60_000)
        }
        XCTAssertEqual(try harness.get("/v1/shelves").status, 200, "calls still go through (panic mode)")

        try harness.write("edge.yaml", config(healthCheck: false))
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertTrue(waitUntil(seconds: 10) { readyz() == 200 }, "reachable without health checks: ready")
    }
}
