import Foundation
import NIOCore
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeUpstream

/// `GET /admin/upstreams` on a real admin listener, and the cluster keys that configure
/// the breaker, health checks and outlier detection (parsed with problems and locations).
final class AdminUpstreamsTests: XCTestCase {
    func testEveryFieldOfTheDocument() throws {
        let edge = try ResilienceEdge.startBlocking(endpoints: nil, clusterYAML: """
                health_check: {interval: 50ms, timeout: 1s, unhealthy_threshold: 1, healthy_threshold: 1}
            """)
        defer { edge.stopBlocking() }
        XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 200)
        // grpc-swift's demo registers no health service: the check answers UNIMPLEMENTED.
        let endpoint = try ResilienceEdge.poll("the endpoint was checked") { () -> [String: Any]? in
            let endpoint = try edge.endpoints()[0]
            return endpoint["health"] as? String == "unhealthy" ? endpoint : nil
        }
        XCTAssertEqual(endpoint["address"] as? String, "127.0.0.1:\(edge.demo!.port)")
        XCTAssertTrue((endpoint["last_error"] as? String)?.contains("gRPC status 12") == true, "\(endpoint)")
        XCTAssertNotNil(endpoint["last_check"] as? String)
        XCTAssertEqual(endpoint["in_rotation"] as? Bool, false)
        XCTAssertEqual(endpoint["ejected"] as? Bool, false)
        XCTAssertTrue(endpoint["ejected_for_seconds"] is NSNull)
        XCTAssertEqual(endpoint["ejections"] as? Int, 0)
        XCTAssertEqual(endpoint["consecutive_failures"] as? Int, 0)

        let cluster = try edge.cluster()
        XCTAssertEqual(cluster["health_checks"] as? Bool, true)
        XCTAssertEqual(cluster["outlier_detection"] as? Bool, true)
        XCTAssertEqual(cluster["panic"] as? Bool, true, "the only endpoint is unhealthy")
        // Panic mode: calls still go to it.
        XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 200)
        let breaker = try XCTUnwrap(cluster["circuit_breaker"] as? [String: Any])
        XCTAssertEqual(breaker["enabled"] as? Bool, true)
        XCTAssertEqual(breaker["state"] as? String, "closed")
        XCTAssertGreaterThanOrEqual(breaker["window_requests"] as? Int ?? 0, 1)
        XCTAssertEqual(breaker["window_failures"] as? Int, 0)
        XCTAssertEqual(breaker["times_opened"] as? Int, 0)
        XCTAssertEqual(breaker["rejected_calls"] as? Int, 0)
        XCTAssertTrue(breaker["retry_in_seconds"] is NSNull)
        let since = try XCTUnwrap(breaker["since"] as? String)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try XCTUnwrap(formatter.date(from: since), since)
        XCTAssertLessThan(abs(date.timeIntervalSinceNow), 300)
        let stats = try XCTUnwrap(cluster["stats"] as? [String: Any])
        for key in ["attempts", "retries", "connections_opened", "connect_failures", "connections_closed", "goaways_received", "pings_received"] {
            XCTAssertNotNil(stats[key] as? Int, key)
        }
        XCTAssertGreaterThanOrEqual(stats["attempts"] as? Int ?? 0, 1)
    }

    func testOnlyGETAndAStatusBodyOtherwise() throws {
        let edge = try ResilienceEdge.startBlocking(endpoints: nil, clusterYAML: "")
        defer { edge.stopBlocking() }
        let response = try EndToEndClient.send(port: edge.adminPort, "POST", "/admin/upstreams", body: "{}")
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(try response.json()["code"] as? Int, 12)
        let head = try EndToEndClient.send(port: edge.adminPort, "HEAD", "/admin/upstreams")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "application/json")
    }

    func testJSONWriterEscapesAndOrders() {
        let status = UpstreamClusterStatus(
            name: "a\"b", circuitBreaker: CircuitBreakerStatus(
                enabled: true, state: "open", since: Date(timeIntervalSince1970: 0), consecutiveFailures: 5,
                windowRequests: 9, windowFailures: 6, timesOpened: 2, rejectedCalls: 3, retryInSeconds: 1.25),
            healthChecks: false, outlierDetection: true, panic: false,
            endpoints: [UpstreamEndpointStatus(
                address: "[::1]:50051", health: "unknown", inRotation: true, lastCheck: nil, lastError: "line\nbreak",
                ejected: false, ejectedForSeconds: nil, ejections: 0, consecutiveFailures: 1)],
            stats: UpstreamStats())
        var buffer = ByteBuffer()
        UpstreamListJSON.write([status], into: &buffer)
        XCTAssertEqual(String(buffer: buffer), #"""
            {"clusters":[{"name":"a\"b","circuit_breaker":{"enabled":true,"state":"open","since":"1970-01-01T00:00:00.000Z","consecutive_failures":5,"window_requests":9,"window_failures":6,"times_opened":2,"rejected_calls":3,"retry_in_seconds":1.250},"health_checks":false,"outlier_detection":true,"panic":false,"endpoints":[{"address":"[::1]:50051","health":"unknown","in_rotation":true,"last_check":null,"last_error":"line\nbreak","ejected":false,"ejected_for_seconds":null,"ejections":0,"consecutive_failures":1}],"stats":{"attempts":0,"retries":0,"connections_opened":0,"connect_failures":0,"connections_closed":0,"goaways_received":0,"pings_received":0}}]}
            """#)
    }

    // MARK: Configuration

    private func parse(_ clusterYAML: String) -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(yaml: """
            descriptors: [x.protoset]
            clusters:
              - name: shop
                endpoints: ["127.0.0.1:50051", "127.0.0.1:50052"]
                services: [shop.v1]
            \(clusterYAML)
            """, checkFiles: false)
    }

    func testDefaults() throws {
        let cluster = try XCTUnwrap(try parse("").get().clusters.first)
        XCTAssertEqual(cluster.circuitBreaker, .defaults)
        XCTAssertNil(cluster.healthCheck)
        XCTAssertEqual(cluster.outlierDetection, .defaults)
        XCTAssertEqual(CircuitBreakerConfiguration.defaults.consecutiveFailures, 5)
        XCTAssertEqual(CircuitBreakerConfiguration.defaults.errorRate, 0.5)
        XCTAssertEqual(CircuitBreakerConfiguration.defaults.window, .seconds(10))
        XCTAssertEqual(CircuitBreakerConfiguration.defaults.minRequests, 20)
        XCTAssertEqual(CircuitBreakerConfiguration.defaults.openTimeout, .seconds(1))
        XCTAssertEqual(CircuitBreakerConfiguration.defaults.maxOpenTimeout, .seconds(5))
        XCTAssertEqual(CircuitBreakerConfiguration.defaults.halfOpenProbes, 1)
    }

    func testEveryKey() throws {
        let config = try parse("""
                circuit_breaker:
                  enabled: true
                  consecutive_failures: 7
                  error_rate: 0.25
                  window: 30s
                  min_requests: 50
                  open_timeout: 2s
                  max_open_timeout: 1m
                  half_open_probes: 3
                health_check:
                  interval: 2s
                  timeout: 500ms
                  service: shop.v1.Catalog
                  unhealthy_threshold: 4
                  healthy_threshold: 1
                outlier_detection:
                  consecutive_failures: 9
                  base_ejection_time: 10s
                  max_ejection_percent: 30
            """).get()
        let cluster = try XCTUnwrap(config.clusters.first)
        XCTAssertEqual(cluster.circuitBreaker, CircuitBreakerConfiguration(
            consecutiveFailures: 7, errorRate: 0.25, window: .seconds(30), minRequests: 50, openTimeout: .seconds(2),
            maxOpenTimeout: .seconds(60), halfOpenProbes: 3))
        XCTAssertEqual(cluster.healthCheck, HealthCheckConfiguration(
            interval: .seconds(2), timeout: .milliseconds(500), service: "shop.v1.Catalog", unhealthyThreshold: 4, healthyThreshold: 1))
        XCTAssertEqual(cluster.outlierDetection, OutlierDetectionConfiguration(consecutiveFailures: 9, baseEjectionTime: .seconds(10), maxEjectionPercent: 30))

        let pool = try UpstreamPool(config: config)
        let status = try XCTUnwrap(pool.upstreamStatus().first)
        XCTAssertTrue(status.healthChecks)
        XCTAssertEqual(status.endpoints.map(\.address), ["127.0.0.1:50051", "127.0.0.1:50052"])
        XCTAssertEqual(status.endpoints.map(\.health), ["unknown", "unknown"])
    }

    func testOffSwitches() throws {
        let cluster = try XCTUnwrap(try parse("""
                circuit_breaker: false
                health_check: {enabled: false, interval: 1s}
                outlier_detection: {enabled: false}
            """).get().clusters.first)
        XCTAssertFalse(cluster.circuitBreaker.enabled)
        XCTAssertNil(cluster.healthCheck)
        XCTAssertFalse(cluster.outlierDetection.enabled)
    }

    func testProblemsHaveLocations() throws {
        let result = parse("""
                circuit_breaker: {consecutive_failures: -1, error_rate: 2, window: soon, open_timeout: 5s, max_open_timeout: 1s, typo: 1}
                health_check: {interval: 0s, unhealthy_threshold: 0, service: [x]}
                outlier_detection: {max_ejection_percent: 101, base_ejection_time: 1}
            """)
        guard case .failure(let error) = result else { return XCTFail("expected problems") }
        let lines = error.problems.map(\.description)
        let expected = [
            "clusters[0].circuit_breaker.typo (line 6): unknown key 'typo'",
            "clusters[0].circuit_breaker.consecutive_failures (line 6): must be between 0 and 1000000, got -1",
            "clusters[0].circuit_breaker.error_rate (line 6): must be between 0.0 and 1.0, got 2",
            "clusters[0].circuit_breaker.window (line 6): expected a duration",
            "clusters[0].circuit_breaker.max_open_timeout (line 6): must not be shorter than open_timeout",
            "clusters[0].health_check.interval (line 7): must be greater than zero",
            "clusters[0].health_check.unhealthy_threshold (line 7): must be between 1 and 100, got 0",
            "clusters[0].health_check.service (line 7): expected a string",
            "clusters[0].outlier_detection.max_ejection_percent (line 8): must be between 0 and 100, got 101",
            "clusters[0].outlier_detection.base_ejection_time (line 8): expected a duration",
        ]
        for prefix in expected {
            XCTAssertTrue(lines.contains { $0.hasPrefix(prefix) }, "missing: \(prefix)\nin:\n\(lines.joined(separator: "\n"))")
        }
        let never = parse("    circuit_breaker: {consecutive_failures: 0, error_rate: 0}\n")
        guard case .failure(let neverError) = never else { return XCTFail("a breaker that can never open is a problem") }
        XCTAssertTrue(neverError.problems[0].description.contains("could never open"), "\(neverError.problems)")
    }
}
