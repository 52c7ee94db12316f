import Dispatch
import Edge
import Foundation
import XCTest
import EdgePolicy
import EdgeUpstream

#if canImport(Glibc)
import Glibc
#endif

/// The fault test of hot reload, on loopback, bounded in time: steady load through
/// the edge to a grpcio backend (discovered by reflection) while the backend is
/// killed (SIGKILL), the configuration reloaded with the backend down, the backend
/// restarted on the same port and the configuration reloaded again.
///
/// Every request must get an answer: 200, or 503/504 with a `google.rpc.Status`
/// JSON body; none may hang (each has a 10 s read timeout, far above the 2 s route
/// timeout); and once the restarted backend answers, requests keep succeeding. The
/// test asserts order and outcome, never durations: it waits for each event (the
/// first success, the first failure after the kill, the first success after the
/// restart) and prints how long each took as a measurement.
final class FaultTests: XCTestCase {
    func testKillRestartAndReloadsUnderLoad() throws {
        try ReflectionTests.requirePython()
        let harness = try ReloadHarness()
        defer { harness.shutdown() }
        let backendPort = try EndToEndFixture.closedPort()
        var backend = try KillableBackend(port: backendPort, tag: "first")
        defer { backend.kill() }

        func config(_ extra: String) -> String {
            ReflectionTests.config(cluster: "py", port: backendPort, extra: "defaults: {timeout: 2s\(extra)}")
        }
        try harness.write("edge.yaml", config(""))
        try harness.start()
        let port = harness.port

        let log = FaultLog()
        let stop = AtomicFlag()
        let clients = DispatchGroup()
        for _ in 0..<4 {
            clients.enter()
            Thread.detachNewThread {
                defer { clients.leave() }
                while !stop.isSet {
                    let start = log.now
                    let outcome: FaultLog.Outcome
                    var message = ""
                    do {
                        let response = try EndToEndClient.send(port: port, "GET", "/v1/greet/load", readTimeoutSeconds: 10)
                        outcome = FaultLog.classify(response)
                        if response.status != 200 { message = response.body }
                    } catch {
                        outcome = .broken("no answer: \(error)")
                    }
                    log.record(start: start, outcome, message: message)
                }
            }
        }

        // Each step waits for the event that shows the previous one took effect (generous
        // bounds that only catch a hang); how long each took is printed as a measurement.
        func waitFor(_ what: String, timeout: Double = 60, _ condition: ([FaultLog.Entry]) -> Bool) throws {
            _ = try ResilienceEdge.poll(what, timeout: timeout) { condition(log.entries) ? true : nil }
        }
        do {
            try waitFor("the first backend answers") { $0.contains { $0.outcome == .ok(servedBy: "first") } }
            backend.kill()
            let killedAt = log.now
            try waitFor("a request fails with the backend down") { entries in
                entries.contains { $0.start > killedAt && $0.outcome.isUnavailable }
            }
            let failedAt = log.now
            // Reload 1: the backend is down; its reflected schema is kept.
            try harness.write("edge.yaml", config(", max_timeout: 30s"))
            guard case .reloaded = harness.reload() else { stop.set(); return XCTFail("reload with the backend down was refused") }
            let reloadedDownAt = log.now
            try waitFor("a request is answered after the reload with the backend down") { entries in
                entries.contains { $0.start > reloadedDownAt }
            }
            backend = try KillableBackend(port: backendPort, tag: "second")
            let restartedAt = log.now
            // Reload 2: the backend is back; its schema is discovered again.
            try harness.write("edge.yaml", config(""))
            guard case .reloaded = harness.reload() else { stop.set(); return XCTFail("reload after the restart was refused") }
            // The circuit breaker opened while the backend was down; its open period (1 s,
            // doubled per failed probe, at most 5 s by default) delays the recovery. The
            // outcome asserted: the restarted backend answers, and then keeps answering
            // (20 requests in a row succeed).
            try waitFor("the restarted backend answers") { entries in
                entries.contains { $0.start > restartedAt && $0.outcome == .ok(servedBy: "second") }
            }
            let recoveredAt = log.now
            try waitFor("20 requests in a row succeed after the recovery") { entries in
                let after = entries.filter { $0.start > recoveredAt }.sorted { $0.end < $1.end }
                return after.count >= 20 && after.suffix(20).allSatisfy { $0.outcome == .ok(servedBy: "second") }
            }
            stop.set()
            XCTAssertEqual(clients.wait(timeout: .now() + 30), .success, "a client thread hung")

            let entries = log.entries
            let counts = Dictionary(grouping: entries, by: { $0.outcome.label }).mapValues(\.count)
            let recovered = entries.filter { $0.start > restartedAt && $0.outcome == .ok(servedBy: "second") }.map(\.end).min()
            let downtime = entries.filter { $0.start > killedAt && $0.start < restartedAt }
            print(String(format: """
                fault test (measurements): %d requests: %@; while down: %d requests; \
                first failure %.2f s after the kill; first success from the restarted backend %.2f s after its restart; \
                generation %d
                """, entries.count, counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                downtime.count, failedAt - killedAt, (recovered ?? recoveredAt) - restartedAt,
                harness.gateway.store.current.generation))
            for broken in entries.compactMap({ if case .broken(let why) = $0.outcome { return why } else { return nil } }).prefix(5) {
                XCTFail("a request got no proper answer: \(broken)")
            }
            // Order: served by the first backend, failed while it was down, served by the second after.
            let firstOK = try XCTUnwrap(entries.filter { $0.outcome == .ok(servedBy: "first") }.map(\.end).min())
            let firstFailure = try XCTUnwrap(entries.filter { $0.outcome.isUnavailable }.map(\.end).min())
            let firstSecond = try XCTUnwrap(recovered)
            XCTAssertLessThan(firstOK, firstFailure)
            XCTAssertLessThan(firstFailure, firstSecond)
            XCTAssertFalse(entries.contains { $0.start > restartedAt && $0.outcome == .ok(servedBy: "first") }, "the killed backend answered")
        } catch {
            stop.set()
            _ = clients.wait(timeout: .now() + 30)
            throw error
        }
        XCTAssertEqual(harness.gateway.store.current.generation, 3)
    }
}

/// Request outcomes over time, from several client threads.
private final class FaultLog: @unchecked Sendable {
    enum Outcome: Equatable {
        case ok(servedBy: String)
        /// 503 or 504 with a google.rpc.Status body.
        case unavailable(Int)
        case broken(String)

        var isUnavailable: Bool {
            if case .unavailable = self { return true }
            return false
        }

        var label: String {
            switch self {
            case .ok: return "200"
            case .unavailable(let status): return "\(status)"
            case .broken: return "broken"
            }
        }
    }

    struct Entry {
        var start: Double
        var end: Double
        var outcome: Outcome
        /// The error body, for the report.
        var message: String
    }

    private let lock = NSLock()
    private var list: [Entry] = []
    private let origin = DispatchTime.now().uptimeNanoseconds

    var now: Double { Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e9 }

    func record(start: Double, _ outcome: Outcome, message: String) {
        let end = now
        lock.withLock { list.append(Entry(start: start, end: end, outcome: outcome, message: message)) }
    }

    var entries: [Entry] { lock.withLock { list } }

    static func classify(_ response: EndToEndResponse) -> Outcome {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) as? [String: Any]
        switch response.status {
        case 200:
            guard json?["message"] as? String == "hello load", let tag = json?["servedBy"] as? String else {
                return .broken("200 with \(response.body)")
            }
            return .ok(servedBy: tag)
        case 503, 504:
            guard let json, json["code"] is Int, json["message"] is String, json["details"] is [Any] else {
                return .broken("\(response.status) without a Status body: \(response.body)")
            }
            return .unavailable(response.status)
        default:
            return .broken("\(response.status) \(response.body)")
        }
    }
}

/// The grpcio backend as a process the test can SIGKILL.
private struct KillableBackend {
    private let process = Process()
    private let input = Pipe()

    init(port: Int, tag: String) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ReflectionTests.pythonScript, "--port", "\(port)", "--tag", tag]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
        // The port line says it is serving.
        var data = Data()
        let end = Date().addingTimeInterval(30)
        while Date() < end, !data.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        guard String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "\(port)" else {
            kill()
            throw InteropProcess.InteropError("the backend did not start on port \(port): \(String(decoding: data, as: UTF8.self))")
        }
    }

    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}
