import Foundation
import XCTest

@testable import Edge
@testable import EdgeConfig

/// `observability` (the contract keys and the ones around them) and a route's `tracing`:
/// parsed, and every mistake named.
final class ObservabilityConfigTests: XCTestCase {
    private func parse(_ observability: String, routes: String = "") -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(
            yaml: """
                listen: {port: 8080}
                descriptors: [api.protoset]
                clusters: [{name: shop, endpoints: ["127.0.0.1:50051"], services: [shop.v1]}]
                routes: {\(routes)}
                observability: \(observability)
                """, file: "test.yaml", baseDirectory: "", checkFiles: false)
    }

    private func problems(_ observability: String, routes: String = "") -> [String] {
        switch parse(observability, routes: routes) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    func testTheContractKeysParse() throws {
        let config = try parse("""
            {access_log: {path: /var/log/edge/access.log, format: json},
             tracing: {otlp_endpoint: "http://127.0.0.1:4318", sampling: 1.0, service_name: edge}}
            """, routes: #""GET /v1/x": {tracing: {sampling: 0.25}}"#).get()
        XCTAssertEqual(config.observability.accessLog?.path, "/var/log/edge/access.log")
        XCTAssertEqual(config.observability.accessLog?.format, "json")
        XCTAssertEqual(config.observability.tracing?.otlpEndpoint, "http://127.0.0.1:4318")
        XCTAssertEqual(config.observability.tracing?.sampling, 1.0)
        XCTAssertEqual(config.observability.tracing?.serviceName, "edge")
        XCTAssertEqual(config.routes.first?.options.traceSampling, 0.25)
    }

    func testTheOptionalKeysParse() throws {
        let config = try parse("""
            {access_log: {path: stdout, format: text, fields: [time, status, route], sampling: 0.5, errors_only: true, buffer_bytes: 1MiB},
             tracing: {otlp_endpoint: "http://collector:4318/prefix", max_queue_spans: 100, max_batch_spans: 10, flush_interval: 2s, timeout: 1s}}
            """).get()
        let log = try XCTUnwrap(config.observability.accessLog)
        XCTAssertEqual(log.fields, ["time", "status", "route"])
        XCTAssertEqual(log.sampling, 0.5)
        XCTAssertTrue(log.errorsOnly)
        XCTAssertEqual(log.bufferBytes, 1 << 20)
        let tracing = try XCTUnwrap(config.observability.tracing)
        XCTAssertEqual(tracing.maxQueueSpans, 100)
        XCTAssertEqual(tracing.maxBatchSpans, 10)
        XCTAssertEqual(tracing.flushInterval, .seconds(2))
        XCTAssertEqual(tracing.timeout, .seconds(1))
    }

    func testMistakesAreNamed() {
        XCTAssertTrue(problems("{access_log: {format: json}}").contains { $0.contains("observability.access_log.path") }, "a path is required")
        XCTAssertTrue(problems("{access_log: {path: stdout, format: xml}}").contains { $0.contains("expected json or text") })
        XCTAssertTrue(problems("{access_log: {path: stdout, fields: [status, password]}}").contains { $0.contains("unknown access-log field 'password'") })
        XCTAssertTrue(problems("{access_log: {path: stdout, sampling: 2}}").contains { $0.contains("observability.access_log.sampling") })
        XCTAssertTrue(problems("{tracing: {sampling: 1.0}}").contains { $0.contains("observability.tracing.otlp_endpoint") }, "an endpoint is required")
        XCTAssertTrue(problems("{tracing: {otlp_endpoint: \"127.0.0.1:4318\"}}").contains { $0.contains("otlp_endpoint") })
        XCTAssertTrue(problems("{tracing: {otlp_endpoint: \"https://collector:4318\"}}").contains { $0.contains("https") })
        XCTAssertTrue(problems("{metrics: {}}").contains { $0.contains("metrics") }, "no key passes silently")
        XCTAssertTrue(
            problems("{}", routes: #""GET /v1/x": {tracing: {sampling: 3}}"#).contains { $0.contains("tracing.sampling") })
    }
}
