import EdgeDemo
import Foundation
import XCTest

@testable import Edge

/// The access log over real sockets: the demo bookstore behind a ``ReloadableGateway`` with
/// API keys; every exchange one JSON line, checked field by field; reopened on reload (log
/// rotation); a sink nobody reads (a FIFO) never stalls a request.
final class ObservabilityAccessLogTests: DemoBehindKeysTestCase {
    private func start(accessLog: String) throws {
        let extra = """
            auth:
              api_keys: {header: x-api-key, keys_file: keys.yaml}
            defaults:
              auth: {any: [api_key]}
            routes:
              "GET /v1/shelves": {auth: none}
            observability:
              access_log: \(accessLog)
            """
        try harness.write("edge.yaml", EndToEndFixture.gatewayYAML(ports: [demo.port], extra: extra))
        try harness.start()
    }

    private func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws -> EndToEndResponse {
        try EndToEndClient.send(port: harness.port, method, target, headers: headers, body: body)
    }

    /// The file's lines once there are at least `count` (bounded wait for the writer's flush).
    private func lines(_ path: String, atLeast count: Int) throws -> [String] {
        let end = Date().addingTimeInterval(20)
        while true {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count || Date() > end { return lines }
            usleep(20_000)
        }
    }

    private func json(_ line: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    func testEveryExchangeIsOneJSONLineFieldByField() throws {
        let path = harness.path("access.log")
        try start(accessLog: "{path: \(path), format: json}")
        let ok = try send("GET", "/v1/shelves/1", headers: [("x-api-key", Self.key), ("user-agent", "log-test/1")])
        XCTAssertEqual(ok.status, 200)
        let refused = try send("GET", "/v1/shelves/1", headers: [("x-api-key", "guess")])
        XCTAssertEqual(refused.status, 401)
        let missing = try send("GET", "/nope?api_key=secret-in-query")
        XCTAssertEqual(missing.status, 404)
        let created = try send("POST", "/v1/shelves", headers: [("x-api-key", Self.key)], body: #"{"theme":"logs"}"#)
        XCTAssertEqual(created.status, 200, created.body)

        let lines = try lines(path, atLeast: 4)
        XCTAssertEqual(lines.count, 4, lines.joined(separator: "\n"))
        // Lines from different event loops may interleave: find each exchange by its request id.
        var byID: [String: [String: Any]] = [:]
        for line in lines {
            let object = try json(line)
            byID[object["request_id"] as? String ?? ""] = object
        }
        func entry(_ response: EndToEndResponse) throws -> [String: Any] {
            try XCTUnwrap(byID[response.header("x-request-id") ?? "?"], "no line for \(response.header("x-request-id") ?? "?")")
        }
        let first = try entry(ok)
        XCTAssertEqual(first["client_address"] as? String, "127.0.0.1")
        XCTAssertEqual(first["method"] as? String, "GET")
        XCTAssertEqual(first["path"] as? String, "/v1/shelves/1")
        XCTAssertEqual(first["protocol"] as? String, "HTTP/1.1")
        XCTAssertEqual(first["route"] as? String, "GET /v1/shelves/{shelf}")
        XCTAssertEqual(first["grpc_method"] as? String, "demo.bookstore.v1.Bookstore/GetShelf")
        XCTAssertEqual(first["upstream_cluster"] as? String, "demo")
        XCTAssertEqual(first["status"] as? Int, 200)
        XCTAssertEqual(first["grpc_code"] as? Int, 0)
        XCTAssertEqual(first["bytes_in"] as? Int, 0)
        XCTAssertEqual(first["bytes_out"] as? Int, ok.body.utf8.count)
        XCTAssertEqual(first["consumer"] as? String, "web")
        XCTAssertEqual(first["retries"] as? Int, 0)
        XCTAssertTrue(first["refused_by"] is NSNull)
        XCTAssertTrue(first["trace_id"] is NSNull, "no tracing configured")
        XCTAssertEqual(first["user_agent"] as? String, "log-test/1")
        let duration = try XCTUnwrap(first["duration_ms"] as? Double)
        let upstream = try XCTUnwrap(first["upstream_duration_ms"] as? Double)
        XCTAssertGreaterThan(duration, 0)
        XCTAssertLessThanOrEqual(upstream, duration, "the upstream's share is part of the whole")
        let time = try XCTUnwrap(first["time"] as? String)
        XCTAssertTrue(time.hasSuffix("Z") && time.count == 24, time)

        let second = try entry(refused)
        XCTAssertEqual(second["status"] as? Int, 401)
        XCTAssertEqual(second["grpc_code"] as? Int, 16)
        XCTAssertEqual(second["refused_by"] as? String, "auth")
        XCTAssertTrue(second["upstream_duration_ms"] is NSNull, "no backend call")
        XCTAssertTrue(second["consumer"] is NSNull)
        XCTAssertFalse(lines.joined().contains("guess"), "the key never reaches the log")

        let third = try entry(missing)
        XCTAssertEqual(third["status"] as? Int, 404)
        XCTAssertTrue(third["route"] is NSNull)
        XCTAssertEqual(third["path"] as? String, "/nope", "never the query string")
        XCTAssertFalse(lines.joined().contains("secret-in-query"))

        let fourth = try entry(created)
        XCTAssertEqual(fourth["method"] as? String, "POST")
        XCTAssertEqual(fourth["bytes_in"] as? Int, #"{"theme":"logs"}"#.utf8.count)
    }

    func testSelectedFieldsAndTheTextFormat() throws {
        let path = harness.path("access.txt")
        try start(accessLog: "{path: \(path), format: text, fields: [status, method, path, route]}")
        XCTAssertEqual(try send("GET", "/v1/shelves").status, 200)
        let lines = try lines(path, atLeast: 1)
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].contains("\"GET /v1/shelves\" 200"), lines[0])
        XCTAssertTrue(lines[0].contains("route=\"GET /v1/shelves\""), lines[0])
        XCTAssertFalse(lines[0].contains("127.0.0.1"), "client_address was not selected: \(lines[0])")
    }

    func testAReloadReopensTheFileForRotation() throws {
        let path = harness.path("access.log")
        try start(accessLog: "{path: \(path)}")
        XCTAssertEqual(try send("GET", "/v1/shelves").status, 200)
        XCTAssertEqual(try lines(path, atLeast: 1).count, 1)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertEqual(try send("GET", "/v1/shelves").status, 200)
        let fresh = try lines(path, atLeast: 1)
        XCTAssertEqual(fresh.count, 1, "the new line goes to a new file at the configured path")
        XCTAssertEqual(try lines(path + ".1", atLeast: 1).count, 1, "the rotated file keeps the old line")
    }

    func testASinkNobodyReadsNeverStallsRequests() throws {
        let fifo = harness.path("access.fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        // A reader that holds the FIFO open and never reads: the pipe fills and stays full.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(reader, 0)
        defer { close(reader) }
        try start(accessLog: "{path: \(fifo), buffer_bytes: 4096}")
        let agent = String(repeating: "a", count: 1000)
        for index in 0..<600 {
            let response = try send("GET", "/v1/shelves", headers: [("user-agent", agent)])
            XCTAssertEqual(response.status, 200, "request \(index)")
        }
        // Every request was answered; the lines that did not fit were dropped and counted.
        let end = Date().addingTimeInterval(20)
        var dropped = 0
        repeat {
            let text = try EndToEndClient.send(port: harness.adminPort, "GET", "/metrics").body
            let line = text.split(separator: "\n").first { $0.hasPrefix("edge_access_log_lines_dropped_total ") }
            dropped = line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            if dropped > 0 { break }
            usleep(50_000)
        } while Date() < end
        XCTAssertGreaterThan(dropped, 0, "a full sink drops lines and counts them")
    }
}
