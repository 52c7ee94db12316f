import Foundation
import NIOCore
import XCTest

@testable import Edge
@testable import EdgeUpstream

/// The upstream families of `GET /metrics` (``UpstreamMetricsText``): the text for a
/// known snapshot, and a real admin listener while a circuit breaker is open.
final class UpstreamMetricsTests: XCTestCase {
    private func endpoint(_ address: String, health: String, inRotation: Bool, ejected: Bool, ejections: Int) -> UpstreamEndpointStatus {
        UpstreamEndpointStatus(
            address: address, health: health, inRotation: inRotation, lastCheck: nil, lastError: nil, ejected: ejected,
            ejectedForSeconds: ejected ? 1 : nil, ejections: ejections, consecutiveFailures: 0)
    }

    func testTextOfAKnownSnapshot() {
        var stats = UpstreamStats()
        stats.attempts = 12
        stats.retries = 2
        stats.connectionsOpened = 3
        stats.connectFailures = 1
        stats.connectionsClosed = 2
        stats.goAwaysReceived = 1
        let cluster = UpstreamClusterStatus(
            name: "shop",
            circuitBreaker: CircuitBreakerStatus(
                enabled: true, state: "open", since: Date(), consecutiveFailures: 5, windowRequests: 0, windowFailures: 0,
                timesOpened: 2, rejectedCalls: 7, retryInSeconds: 0.5),
            healthChecks: true, outlierDetection: true, panic: false,
            endpoints: [
                endpoint("10.0.0.1:50051", health: "healthy", inRotation: true, ejected: false, ejections: 0),
                endpoint("10.0.0.2:50051", health: "unhealthy", inRotation: false, ejected: true, ejections: 4),
            ],
            stats: stats)
        var quoted = cluster
        quoted.name = "a\"b\\c\nd"
        quoted.circuitBreaker.enabled = false
        quoted.endpoints = []
        quoted.stats = UpstreamStats()
        quoted.panic = true

        var buffer = ByteBuffer()
        UpstreamMetricsText.write([cluster, quoted], into: &buffer)
        let text = String(buffer: buffer)
        let expected = #"""
            # HELP edge_upstream_circuit_breaker_state Circuit breaker state per cluster (1 for the current state)
            # TYPE edge_upstream_circuit_breaker_state gauge
            edge_upstream_circuit_breaker_state{cluster="shop",state="closed"} 0
            edge_upstream_circuit_breaker_state{cluster="shop",state="open"} 1
            edge_upstream_circuit_breaker_state{cluster="shop",state="half_open"} 0
            # HELP edge_upstream_circuit_breaker_opened_total Times the circuit breaker opened
            # TYPE edge_upstream_circuit_breaker_opened_total counter
            edge_upstream_circuit_breaker_opened_total{cluster="shop"} 2
            edge_upstream_circuit_breaker_opened_total{cluster="a\"b\\c\nd"} 2
            # HELP edge_upstream_circuit_breaker_rejected_total Calls turned away while the circuit breaker was open
            # TYPE edge_upstream_circuit_breaker_rejected_total counter
            edge_upstream_circuit_breaker_rejected_total{cluster="shop"} 7
            edge_upstream_circuit_breaker_rejected_total{cluster="a\"b\\c\nd"} 7
            # HELP edge_upstream_panic 1 while no endpoint of the cluster is in rotation (calls go to all of them)
            # TYPE edge_upstream_panic gauge
            edge_upstream_panic{cluster="shop"} 0
            edge_upstream_panic{cluster="a\"b\\c\nd"} 1
            # HELP edge_upstream_attempts_total Upstream call attempts
            # TYPE edge_upstream_attempts_total counter
            edge_upstream_attempts_total{cluster="shop"} 12
            edge_upstream_attempts_total{cluster="a\"b\\c\nd"} 0
            # HELP edge_upstream_retries_total Upstream call attempts that were retries
            # TYPE edge_upstream_retries_total counter
            edge_upstream_retries_total{cluster="shop"} 2
            edge_upstream_retries_total{cluster="a\"b\\c\nd"} 0
            # HELP edge_upstream_connections_opened_total HTTP/2 connections opened to the cluster
            # TYPE edge_upstream_connections_opened_total counter
            edge_upstream_connections_opened_total{cluster="shop"} 3
            edge_upstream_connections_opened_total{cluster="a\"b\\c\nd"} 0
            # HELP edge_upstream_connect_failures_total Connection attempts that failed
            # TYPE edge_upstream_connect_failures_total counter
            edge_upstream_connect_failures_total{cluster="shop"} 1
            edge_upstream_connect_failures_total{cluster="a\"b\\c\nd"} 0
            # HELP edge_upstream_connections_closed_total HTTP/2 connections closed
            # TYPE edge_upstream_connections_closed_total counter
            edge_upstream_connections_closed_total{cluster="shop"} 2
            edge_upstream_connections_closed_total{cluster="a\"b\\c\nd"} 0
            # HELP edge_upstream_goaways_received_total GOAWAY frames received
            # TYPE edge_upstream_goaways_received_total counter
            edge_upstream_goaways_received_total{cluster="shop"} 1
            edge_upstream_goaways_received_total{cluster="a\"b\\c\nd"} 0
            # HELP edge_upstream_endpoint_health Active health check state per endpoint (1 for the current state)
            # TYPE edge_upstream_endpoint_health gauge
            edge_upstream_endpoint_health{cluster="shop",endpoint="10.0.0.1:50051",state="healthy"} 1
            edge_upstream_endpoint_health{cluster="shop",endpoint="10.0.0.1:50051",state="unhealthy"} 0
            edge_upstream_endpoint_health{cluster="shop",endpoint="10.0.0.1:50051",state="unknown"} 0
            edge_upstream_endpoint_health{cluster="shop",endpoint="10.0.0.2:50051",state="healthy"} 0
            edge_upstream_endpoint_health{cluster="shop",endpoint="10.0.0.2:50051",state="unhealthy"} 1
            edge_upstream_endpoint_health{cluster="shop",endpoint="10.0.0.2:50051",state="unknown"} 0
            # HELP edge_upstream_endpoint_in_rotation 1 while the endpoint takes calls (not unhealthy, not ejected)
            # TYPE edge_upstream_endpoint_in_rotation gauge
            edge_upstream_endpoint_in_rotation{cluster="shop",endpoint="10.0.0.1:50051"} 1
            edge_upstream_endpoint_in_rotation{cluster="shop",endpoint="10.0.0.2:50051"} 0
            # HELP edge_upstream_endpoint_ejected 1 while outlier detection keeps the endpoint out
            # TYPE edge_upstream_endpoint_ejected gauge
            edge_upstream_endpoint_ejected{cluster="shop",endpoint="10.0.0.1:50051"} 0
            edge_upstream_endpoint_ejected{cluster="shop",endpoint="10.0.0.2:50051"} 1
            # HELP edge_upstream_endpoint_ejections_total Times outlier detection ejected the endpoint
            # TYPE edge_upstream_endpoint_ejections_total counter
            edge_upstream_endpoint_ejections_total{cluster="shop",endpoint="10.0.0.1:50051"} 0
            edge_upstream_endpoint_ejections_total{cluster="shop",endpoint="10.0.0.2:50051"} 4

            """#
        XCTAssertEqual(text, expected)
    }

    func testNoClustersNoLines() {
        var buffer = ByteBuffer()
        UpstreamMetricsText.write([], into: &buffer)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    /// A breaker opened by three failed calls to a closed port shows on the admin listener's `/metrics`.
    func testAdminMetricsShowAnOpenBreaker() throws {
        let port = try EndToEndFixture.closedPort()
        let edge = try ResilienceEdge.startBlocking(endpoints: [port], clusterYAML: """
                circuit_breaker: {consecutive_failures: 3, error_rate: 0, open_timeout: 30s}
                outlier_detection: false
            """)
        defer { edge.stopBlocking() }
        for _ in 0..<4 { XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 503) }

        let response = try EndToEndClient.send(port: edge.adminPort, "GET", "/metrics")
        XCTAssertEqual(response.status, 200)
        let lines = Set(response.body.split(separator: "\n").map(String.init))
        for line in [
            #"edge_upstream_circuit_breaker_state{cluster="demo",state="open"} 1"#,
            #"edge_upstream_circuit_breaker_state{cluster="demo",state="closed"} 0"#,
            #"edge_upstream_circuit_breaker_opened_total{cluster="demo"} 1"#,
            #"edge_upstream_circuit_breaker_rejected_total{cluster="demo"} 1"#,
            #"edge_upstream_endpoint_health{cluster="demo",endpoint="127.0.0.1:\#(port)",state="unknown"} 1"#,
            #"edge_upstream_endpoint_in_rotation{cluster="demo",endpoint="127.0.0.1:\#(port)"} 1"#,
            "# TYPE edge_upstream_endpoint_ejections_total counter",
        ] {
            XCTAssertTrue(lines.contains(line), "missing \(line) in:\n\(response.body)")
        }
        // GET is idempotent: each failed call made up to three attempts, each a failed connect.
        for counter in ["edge_upstream_attempts_total", "edge_upstream_connect_failures_total"] {
            let line = lines.first { $0.hasPrefix(counter + #"{cluster="demo"} "#) }
            XCTAssertGreaterThanOrEqual(Int(line?.split(separator: " ").last ?? "") ?? 0, 3, "\(counter) in:\n\(response.body)")
        }
    }
}
