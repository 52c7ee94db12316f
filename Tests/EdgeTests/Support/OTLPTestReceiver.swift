import Foundation
import XCTest

/// `Tests/otlp/receiver.py` as a child process: a real OTLP/HTTP trace receiver on the reference
/// `opentelemetry-proto` messages. Spans it received come back as JSON dictionaries (see the script's
/// doc string for their shape). `XCTSkip` when python3 lacks opentelemetry-proto (scripts/install-deps.sh).
final class OTLPTestReceiver {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("otlp/receiver.py").path

    private let process: InteropProcess
    let port: Int

    /// `http://127.0.0.1:<port>`: what `observability.tracing.otlp_endpoint` takes.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// - Parameter port: 0 picks a free port; a given one lets a test restart the receiver where it was.
    init(port: Int = 0, countOnly: Bool = false) throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import opentelemetry.proto.collector.trace.v1.trace_service_pb2"]) else {
            throw XCTSkip("python3 with opentelemetry-proto is not available (scripts/install-deps.sh)")
        }
        var arguments = ["python3", Self.script, "--port", String(port), "--exit-on-stdin-eof"]
        if countOnly { arguments.append("--count-only") }
        process = try InteropProcess(launch: "/usr/bin/env", arguments)
        let line = try process.readLine(fromStderr: false, timeout: 30)
        guard line.hasPrefix("PORT "), let value = Int(line.dropFirst(5)) else {
            process.terminate()
            throw InteropProcess.InteropError("receiver.py did not print its port: \(line)")
        }
        self.port = value
    }

    deinit { process.terminate() }

    func stop() { process.terminate() }

    /// Every span received so far.
    func spans() throws -> [[String: Any]] {
        try XCTUnwrap(try get("/spans") as? [[String: Any]])
    }

    /// `requests`, `spans` (count), `rejected`, `content_types`.
    func stats() throws -> [String: Any] {
        try XCTUnwrap(try get("/stats") as? [String: Any])
    }

    func spanCount() throws -> Int { try XCTUnwrap(try stats()["spans"] as? Int) }

    func reset() throws { _ = try post("/reset", "{}") }

    /// Answer every following export with `status` (200 = normal) after `delayMilliseconds`.
    func control(status: Int = 200, delayMilliseconds: Int = 0) throws {
        _ = try post("/control", "{\"status\": \(status), \"delay_ms\": \(delayMilliseconds)}")
    }

    /// Polls until at least `count` spans arrived (a bound on waiting, not a timing assertion).
    func waitForSpans(_ count: Int, timeout: TimeInterval = 30) throws -> [[String: Any]] {
        let end = Date().addingTimeInterval(timeout)
        while true {
            let received = try spans()
            if received.count >= count || Date() > end { return received }
            usleep(20_000)
        }
    }

    private func get(_ path: String) throws -> Any {
        let response = try httpRequest(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(response.status, 200, response.body)
        return try JSONSerialization.jsonObject(with: Data(response.body.utf8))
    }

    private func post(_ path: String, _ body: String) throws -> Any {
        let response = try httpRequest(
            port: port,
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        XCTAssertEqual(response.status, 200, response.body)
        return try JSONSerialization.jsonObject(with: Data(response.body.utf8))
    }
}
