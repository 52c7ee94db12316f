import EdgeDemo
import Foundation
import XCTest

@testable import Edge

/// `/metrics` over real sockets: the demo bookstore behind a ``ReloadableGateway`` with API
/// keys and CORS; a scripted set of requests (passed, refused by each policy, unmatched, a
/// stream that fails midway) and the exact series they leave; `promtool check metrics` on
/// the real scrape.
final class ObservabilityMetricsTests: DemoBehindKeysTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        let extra = """
            auth:
              api_keys: {header: x-api-key, keys_file: keys.yaml}
            cors:
              allow_origins: ["https://app.example.com"]
            defaults:
              auth: {any: [api_key]}
            routes:
              "GET /v1/shelves": {auth: none}
              "GET /v1/books:lookup": {max_in_flight: 50}
            """
        try harness.write("edge.yaml", EndToEndFixture.gatewayYAML(ports: [demo.port], extra: extra))
        try harness.start()
    }

    private func send(_ method: String, _ target: String, headers: [(String, String)] = []) throws -> EndToEndResponse {
        try EndToEndClient.send(port: harness.port, method, target, headers: headers)
    }

    private func scrape() throws -> String {
        let response = try EndToEndClient.send(port: harness.adminPort, "GET", "/metrics")
        XCTAssertEqual(response.status, 200)
        return response.body
    }

    /// The samples of one metric name (`edge_http_requests_total`), in the order written.
    private func samples(_ name: String, in text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
    }

    func testScriptedRequestsLeaveExactlyTheirSeries() throws {
        let keyed = [("x-api-key", Self.key)]
        XCTAssertEqual(try send("GET", "/v1/shelves").status, 200)
        XCTAssertEqual(try send("GET", "/v1/shelves/1").status, 401)
        XCTAssertEqual(try send("GET", "/v1/shelves/1", headers: [("x-api-key", "guess")]).status, 401)
        XCTAssertEqual(try send("GET", "/v1/shelves/1", headers: keyed).status, 200)
        XCTAssertEqual(try send("GET", "/v1/shelves", headers: [("origin", "https://evil.example")]).status, 200)
        let preflight = try send(
            "OPTIONS", "/v1/shelves", headers: [("origin", "https://evil.example"), ("access-control-request-method", "GET")])
        XCTAssertEqual(preflight.status, 403)
        let stream = try send("GET", "/v1/shelves/1/books:stream?fail_after=1", headers: keyed)
        XCTAssertEqual(stream.status, 200)
        XCTAssertTrue(stream.body.contains("ABORTED") || stream.body.contains("\"code\":10"), stream.body)
        XCTAssertEqual(try send("GET", "/nope").status, 404)
        XCTAssertEqual(try send("GET", "/v1/shelves/1", headers: [("content-length", "x")]).status, 400)

        let text = try scrape()
        let shelves = #"route="GET /v1/shelves",grpc_method="demo.bookstore.v1.Bookstore/ListShelves""#
        let shelf = #"route="GET /v1/shelves/{shelf}",grpc_method="demo.bookstore.v1.Bookstore/GetShelf""#
        let books = #"route="GET /v1/shelves/{shelf}/books:stream",grpc_method="demo.bookstore.v1.Bookstore/ListBooksStream""#
        XCTAssertEqual(samples("edge_http_requests_total", in: text), [
            #"edge_http_requests_total{\#(shelves),status="200",grpc_code="OK"} 2"#,
            #"edge_http_requests_total{\#(shelves),status="403",grpc_code="PERMISSION_DENIED"} 1"#,
            #"edge_http_requests_total{\#(shelf),status="200",grpc_code="OK"} 1"#,
            #"edge_http_requests_total{\#(shelf),status="401",grpc_code="UNAUTHENTICATED"} 2"#,
            #"edge_http_requests_total{\#(books),status="200",grpc_code="ABORTED"} 1"#,
            #"edge_http_requests_total{route="unmatched",grpc_method="",status="400",grpc_code="INVALID_ARGUMENT"} 1"#,
            #"edge_http_requests_total{route="unmatched",grpc_method="",status="404",grpc_code="NOT_FOUND"} 1"#,
        ], text)
        XCTAssertEqual(samples("edge_http_requests_in_flight", in: text), [
            #"edge_http_requests_in_flight{\#(shelves)} 0"#,
            #"edge_http_requests_in_flight{\#(shelf)} 0"#,
            #"edge_http_requests_in_flight{\#(books)} 0"#,
            #"edge_http_requests_in_flight{route="unmatched",grpc_method=""} 0"#,
        ], text)
        XCTAssertEqual(samples("edge_http_request_duration_seconds_count", in: text), [
            #"edge_http_request_duration_seconds_count{\#(shelves)} 3"#,
            #"edge_http_request_duration_seconds_count{\#(shelf)} 3"#,
            #"edge_http_request_duration_seconds_count{\#(books)} 1"#,
            #"edge_http_request_duration_seconds_count{route="unmatched",grpc_method=""} 2"#,
        ], text)
        XCTAssertEqual(samples("edge_http_request_upstream_duration_seconds_count", in: text), [
            #"edge_http_request_upstream_duration_seconds_count{\#(shelves)} 2"#,
            #"edge_http_request_upstream_duration_seconds_count{\#(shelf)} 1"#,
            #"edge_http_request_upstream_duration_seconds_count{\#(books)} 1"#,
        ], text)
        XCTAssertEqual(samples("edge_auth_failures_total", in: text), [
            #"edge_auth_failures_total{reason="invalid_api_key"} 1"#,
            #"edge_auth_failures_total{reason="missing_credentials"} 1"#,
        ], text)
        XCTAssertEqual(samples("edge_policy_refusals_total", in: text), [
            #"edge_policy_refusals_total{policy="auth",reason="invalid_api_key"} 1"#,
            #"edge_policy_refusals_total{policy="auth",reason="missing_credentials"} 1"#,
            #"edge_policy_refusals_total{policy="cors",reason="origin_not_allowed"} 1"#,
        ], text)
        XCTAssertEqual(samples("edge_cors_rejections_total", in: text), [#"edge_cors_rejections_total{route="GET /v1/shelves"} 2"#], text)
        XCTAssertEqual(samples("edge_streams_opened_total", in: text), [#"edge_streams_opened_total{\#(books)} 1"#], text)
        XCTAssertEqual(samples("edge_stream_messages_total", in: text), [
            #"edge_stream_messages_total{\#(books),direction="in"} 0"#,
            #"edge_stream_messages_total{\#(books),direction="out"} 1"#,
        ], text)
        XCTAssertEqual(samples("edge_streams_ended_total", in: text), [#"edge_streams_ended_total{\#(books),end="ABORTED"} 1"#], text)
        XCTAssertEqual(samples("edge_upstream_calls_total", in: text), [
            #"edge_upstream_calls_total{cluster="demo",grpc_code="OK"} 3"#,
            #"edge_upstream_calls_total{cluster="demo",grpc_code="ABORTED"} 1"#,
        ], text)
        XCTAssertEqual(samples("edge_upstream_attempts_total", in: text), [#"edge_upstream_attempts_total{cluster="demo"} 4"#], text)
    }

    func testPromtoolAcceptsARealScrape() throws {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let promtool else {
            return XCTFail("promtool is not installed: run scripts/install-deps.sh (Debian's prometheus package)")
        }
        XCTAssertEqual(try send("GET", "/v1/shelves").status, 200)
        XCTAssertEqual(try send("GET", "/v1/shelves/1").status, 401)
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books:stream?fail_after=1", headers: [("x-api-key", Self.key)]).status, 200)
        XCTAssertEqual(try send("GET", "/nope").status, 404)
        let text = try scrape()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "promtool check metrics:\n\(report)\n--- scrape ---\n\(text)")
        // The gateway's own counters are in the scrape too.
        XCTAssertEqual(samples("edge_listener_connections_accepted_total", in: text).count, 1, text)
        XCTAssertEqual(samples("edge_route_max_in_flight", in: text), [#"edge_route_max_in_flight{route="GET /v1/books:lookup"} 50"#], text)
        XCTAssertEqual(report.trimmingCharacters(in: .whitespacesAndNewlines), "", report)
    }
}
