import Foundation
import XCTest

@testable import Edge

/// Traces over real sockets: a client's `traceparent` → the edge's server span → a client
/// span per upstream attempt → a Python grpcio backend that reports the `traceparent` it got;
/// spans received by a real OTLP/HTTP receiver (`Tests/otlp/receiver.py` on opentelemetry-proto).
final class ObservabilityTracingTests: XCTestCase {
    private var receiver: OTLPTestReceiver!
    private var backend: InteropProcess!
    private var backendPort = 0
    private var harness: ReloadHarness!

    static let backendScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/trace_backend.py").path

    static let key = "web-key-1"
    static let digest = "383653053e2c86930cfe95e7ddce007a6b77c1774716874c414228efd006f430"
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"

    override func setUpWithError() throws {
        receiver = try OTLPTestReceiver()
        backend = try InteropProcess(launch: "/usr/bin/env", ["python3", Self.backendScript])
        backendPort = try XCTUnwrap(Int(try backend.readLine(fromStderr: false, timeout: 30)), "trace_backend.py printed no port")
        harness = try ReloadHarness()
        try harness.write("keys.yaml", "web: \(Self.digest)\n")
    }

    override func tearDownWithError() throws {
        harness?.shutdown()
        backend?.terminate()
        receiver?.stop()
    }

    private func start(sampling: Double = 1.0, echoTracing: String = "") throws {
        let extra = """
            auth:
              api_keys: {header: x-api-key, keys_file: keys.yaml}
            metadata:
              forward_headers: [x-fail-once]
            routes:
              "GET /v1/shelves": {auth: {any: [api_key]}}
              "POST /v1/debug:echoMetadata": {allow_retries: true, retries: {max_attempts: 3, initial_backoff: 10ms, retryable_codes: [UNAVAILABLE]}\(echoTracing)}
            observability:
              tracing: {otlp_endpoint: "\(receiver.endpoint)", sampling: \(sampling), service_name: edge-test, flush_interval: 50ms}
            """
        try harness.write("edge.yaml", EndToEndFixture.gatewayYAML(ports: [backendPort], extra: extra))
        try harness.start()
    }

    /// The metadata the backend received, by name.
    private func echo(headers: [(String, String)]) throws -> [String: String] {
        let response = try EndToEndClient.send(port: harness.port, "POST", "/v1/debug:echoMetadata", headers: headers, body: #"{"message":"hi"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        let entries = try XCTUnwrap(try response.json()["entries"] as? [[String: Any]], response.body)
        var seen: [String: String] = [:]
        for entry in entries { seen[entry["key"] as? String ?? ""] = entry["value"] as? String ?? "" }
        return seen
    }

    private func attributes(_ span: [String: Any]) -> [String: Any] { span["attributes"] as? [String: Any] ?? [:] }

    func testTheClientsTraceContinuesThroughTheEdgeToTheBackend() throws {
        try start()
        let seen = try echo(headers: [
            ("traceparent", "00-\(Self.traceID)-\(Self.parentID)-01"), ("tracestate", "vendor=abc"), ("user-agent", "trace-test/1"),
        ])
        let sent = try XCTUnwrap(seen["traceparent"], "the backend got no traceparent: \(seen)")
        let parts = sent.split(separator: "-").map(String.init)
        XCTAssertEqual(parts.count, 4, sent)
        XCTAssertEqual(parts[0], "00")
        XCTAssertEqual(parts[1], Self.traceID, "the same trace")
        XCTAssertNotEqual(parts[2], Self.parentID, "the edge's own span, not the client's")
        XCTAssertEqual(parts[3], "01")
        XCTAssertEqual(seen["tracestate"], "vendor=abc", "tracestate travels on unchanged")

        let spans = try receiver.waitForSpans(2)
        XCTAssertEqual(spans.count, 2, "\(spans)")
        let server = try XCTUnwrap(spans.first { $0["kind"] as? String == "SPAN_KIND_SERVER" }, "\(spans)")
        let client = try XCTUnwrap(spans.first { $0["kind"] as? String == "SPAN_KIND_CLIENT" }, "\(spans)")

        XCTAssertEqual(server["trace_id"] as? String, Self.traceID)
        XCTAssertEqual(server["parent_span_id"] as? String, Self.parentID, "the edge's span is the child of the client's")
        XCTAssertEqual(server["name"] as? String, "POST /v1/debug:echoMetadata")
        XCTAssertEqual(server["trace_state"] as? String, "vendor=abc")
        let serverAttributes = attributes(server)
        XCTAssertEqual(serverAttributes["http.request.method"] as? String, "POST")
        XCTAssertEqual(serverAttributes["http.route"] as? String, "/v1/debug:echoMetadata")
        XCTAssertEqual(serverAttributes["url.path"] as? String, "/v1/debug:echoMetadata")
        XCTAssertEqual(serverAttributes["http.response.status_code"] as? Int, 200)
        XCTAssertEqual(serverAttributes["client.address"] as? String, "127.0.0.1")
        XCTAssertEqual(serverAttributes["user_agent.original"] as? String, "trace-test/1")
        XCTAssertEqual((server["resource"] as? [String: Any])?["service.name"] as? String, "edge-test")

        XCTAssertEqual(client["trace_id"] as? String, Self.traceID)
        XCTAssertEqual(client["parent_span_id"] as? String, server["span_id"] as? String, "the client span is the server span's child")
        XCTAssertEqual(client["span_id"] as? String, parts[2], "the backend sees the client span as its parent")
        XCTAssertEqual(client["name"] as? String, "demo.bookstore.v1.Bookstore/EchoMetadata")
        let clientAttributes = attributes(client)
        XCTAssertEqual(clientAttributes["rpc.system.name"] as? String, "grpc")
        XCTAssertEqual(clientAttributes["rpc.method"] as? String, "demo.bookstore.v1.Bookstore/EchoMetadata")
        XCTAssertEqual(clientAttributes["rpc.response.status_code"] as? String, "OK")
        XCTAssertEqual(clientAttributes["server.address"] as? String, "127.0.0.1")
        XCTAssertEqual(clientAttributes["server.port"] as? Int, backendPort)
        XCTAssertLessThanOrEqual(
            try XCTUnwrap(server["start_time_unix_nano"] as? Int), try XCTUnwrap(client["start_time_unix_nano"] as? Int),
            "the server span encloses the client span")
    }

    func testANewTraceStartsAtTheEdgeAndEachRetryIsItsOwnClientSpan() throws {
        try start()
        let seen = try echo(headers: [("x-fail-once", "retry-1")])
        let sent = try XCTUnwrap(seen["traceparent"])
        let spans = try receiver.waitForSpans(3)
        XCTAssertEqual(spans.count, 3, "\(spans)")
        let server = try XCTUnwrap(spans.first { $0["kind"] as? String == "SPAN_KIND_SERVER" })
        XCTAssertEqual(server["parent_span_id"] as? String, "", "a root span: the client sent no context")
        let traceID = try XCTUnwrap(server["trace_id"] as? String)
        XCTAssertEqual(traceID.count, 32)
        XCTAssertTrue(sent.hasPrefix("00-\(traceID)-"), sent)
        let clients = spans.filter { $0["kind"] as? String == "SPAN_KIND_CLIENT" }
            .sorted { ($0["start_time_unix_nano"] as? Int ?? 0) < ($1["start_time_unix_nano"] as? Int ?? 0) }
        guard clients.count == 2 else { return XCTFail("expected two attempts: \(spans)") }
        XCTAssertEqual(attributes(clients[0])["rpc.response.status_code"] as? String, "UNAVAILABLE")
        XCTAssertEqual(attributes(clients[0])["error.type"] as? String, "UNAVAILABLE")
        XCTAssertEqual((clients[0]["status"] as? [String: Any])?["code"] as? String, "STATUS_CODE_ERROR")
        XCTAssertEqual(attributes(clients[1])["rpc.response.status_code"] as? String, "OK")
        XCTAssertNotEqual(clients[0]["span_id"] as? String, clients[1]["span_id"] as? String)
        XCTAssertTrue(sent.contains(clients[1]["span_id"] as? String ?? "?"), "the backend's answer came from the second attempt")
        for client in clients { XCTAssertEqual(client["parent_span_id"] as? String, server["span_id"] as? String) }
        let events = try XCTUnwrap(server["events"] as? [[String: Any]])
        XCTAssertEqual(events.map { $0["name"] as? String }, ["retry"])
    }

    func testAnUnsampledCallerIsHonouredAndItsContextPassedOn() throws {
        try start(sampling: 1.0)
        let seen = try echo(headers: [("traceparent", "00-\(Self.traceID)-\(Self.parentID)-00")])
        XCTAssertEqual(seen["traceparent"], "00-\(Self.traceID)-\(Self.parentID)-00", "passed on as it came")
        // A sampled request after it: only its spans arrive.
        _ = try echo(headers: [("traceparent", "00-\(Self.traceID.replacingOccurrences(of: "4", with: "5"))-\(Self.parentID)-01")])
        let spans = try receiver.waitForSpans(2)
        XCTAssertEqual(spans.count, 2)
        XCTAssertTrue(spans.allSatisfy { ($0["trace_id"] as? String)?.hasPrefix("5bf9") == true }, "\(spans)")
    }

    func testRatioZeroStartsNoTraceButARefusalOfASampledCallerIsTraced() throws {
        try start(sampling: 0)
        let unsampled = try echo(headers: [])
        XCTAssertNil(unsampled["traceparent"], "no trace, nothing to propagate")
        let refused = try EndToEndClient.send(
            port: harness.port, "GET", "/v1/shelves", headers: [("traceparent", "00-\(Self.traceID)-\(Self.parentID)-01")])
        XCTAssertEqual(refused.status, 401)
        let spans = try receiver.waitForSpans(1)
        XCTAssertEqual(spans.count, 1, "\(spans)")
        let server = spans[0]
        XCTAssertEqual(server["name"] as? String, "GET /v1/shelves")
        XCTAssertEqual(attributes(server)["http.response.status_code"] as? Int, 401)
        let events = try XCTUnwrap(server["events"] as? [[String: Any]])
        XCTAssertEqual(events.first?["name"] as? String, "policy.refused")
        XCTAssertEqual((events.first?["attributes"] as? [String: Any])?["edge.policy"] as? String, "auth")
        XCTAssertEqual((events.first?["attributes"] as? [String: Any])?["edge.policy.reason"] as? String, "missing_credentials")
    }

    func testARoutesOwnRatioOverridesTheGlobalOne() throws {
        try start(sampling: 1.0, echoTracing: ", tracing: {sampling: 0}")
        let seen = try echo(headers: [])
        XCTAssertNil(seen["traceparent"], "the route samples no new trace")
        let refused = try EndToEndClient.send(port: harness.port, "GET", "/v1/shelves")
        XCTAssertEqual(refused.status, 401)
        let spans = try receiver.waitForSpans(1)
        XCTAssertEqual(spans.map { $0["name"] as? String }, ["GET /v1/shelves"], "only the route under the global ratio: \(spans)")
    }
}
