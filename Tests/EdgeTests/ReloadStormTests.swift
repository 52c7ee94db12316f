import Dispatch
import Edge
import EdgeDemo
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The reload storm: reloads in a loop (100 by default; `EDGE_STORM_RELOADS`, and
/// Benchmarks/reload-storm.sh for longer storms) alternating two valid configurations that move
/// a route (`GET /v1/shelves` ⇄ `GET /v9/shelves`) and the cluster (`demo` ⇄ `demo2`: a new
/// upstream pool each time), plus invalid ones that must be refused, while 4 clients send
/// requests. Every request is answered — 200, or 404/405 for the route that is gone — none
/// hangs, none fails because of a reload; afterwards no old snapshot is left alive (counted
/// with weak references) once the drain window has passed (old pools are kept for the
/// body-read timeout plus the longest `max_timeout`: set to 1 s + 2 s here), and the process's
/// descriptors are back to where they were.
final class ReloadStormTests: XCTestCase {
    nonisolated(unsafe) private static var demo: RunningDemoServer?

    override class func setUp() {
        super.setUp()
        demo = try? EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
    }

    override class func tearDown() {
        if let demo { _ = try? EndToEndFixture.blocking { await demo.shutdown(gracePeriod: .seconds(1)) } }
        demo = nil
        super.tearDown()
    }

    func testHundredReloadsUnderLoad() throws {
        let demo = try XCTUnwrap(Self.demo, "the demo server did not start")
        let reloads = ProcessInfo.processInfo.environment["EDGE_STORM_RELOADS"].flatMap(Int.init) ?? 100
        let harness = try ReloadHarness()
        defer { harness.shutdown() }
        let rulesA = "type: google.api.Service\nconfig_version: 3\nhttp:\n  rules:\n  - selector: demo.bookstore.v1.Bookstore.ListShelves\n    get: /v1/shelves\n"
        let rulesB = rulesA.replacingOccurrences(of: "/v1/shelves", with: "/v9/shelves")
        try harness.write("a.yaml", rulesA)
        try harness.write("b.yaml", rulesB)
        // An old pool closes once no call matched on its snapshot can still use it: after the
        // body-read timeout plus the longest max_timeout (61 s by default). Short ones here, so
        // that the test can see every old snapshot freed.
        func config(_ rules: String, cluster: String) -> String {
            EndToEndFixture.gatewayYAML(
                ports: [demo.port], extraSources: [harness.path(rules)], clusterName: cluster, extra: "defaults: {timeout: 2s, max_timeout: 2s}"
            ).replacingOccurrences(
                of: "  admin: {host: 127.0.0.1, port: 0}\n",
                with: "  admin: {host: 127.0.0.1, port: 0}\n  limits: {body_read_timeout: 1s}\n")
        }
        let configA = config("a.yaml", cluster: "demo")
        let configB = config("b.yaml", cluster: "demo2")
        XCTAssertTrue(configA.contains("body_read_timeout: 1s"), configA)
        let invalid = [
            configA + "bogus_key: 1\n",
            configB.replacingOccurrences(of: "127.0.0.1:\(demo.port)", with: "nowhere"),
            configA + "routes:\n  demo.bookstore.v1.Bookstore.NoSuchMethod: {timeout: 1s}\n",
        ]
        try harness.write("edge.yaml", configA)
        try harness.start()
        let port = harness.port
        // Warm up, then take the baseline: descriptors with no client connected.
        XCTAssertEqual(try harness.get("/v1/shelves").status, 200)
        let descriptorsBefore = Self.openDescriptors()

        let tally = StormTally()
        let stop = AtomicFlag()
        let clients = DispatchGroup()
        for client in 0..<4 {
            clients.enter()
            Thread.detachNewThread {
                defer { clients.leave() }
                var turn = client
                while !stop.isSet {
                    let target = turn % 2 == 0 ? "/v1/shelves" : "/v9/shelves"
                    turn += 1
                    do {
                        let response = try EndToEndClient.send(port: port, "GET", target, readTimeoutSeconds: 20)
                        tally.record(response.status, target: target, body: response.body)
                    } catch {
                        tally.record(nil, target: target, body: "no answer: \(error)")
                    }
                }
            }
        }

        var snapshots: [WeakSnapshot] = [WeakSnapshot(harness.gateway.store.current)]
        var reloaded = 0
        var refused = 0
        let started = Date()
        for index in 0..<reloads {
            let requestsBefore = tally.total
            if index % 3 == 2 {
                try harness.write("edge.yaml", invalid[(index / 3) % invalid.count])
                guard case .refused = harness.reload() else {
                    stop.set()
                    return XCTFail("reload \(index): an invalid configuration was accepted")
                }
                refused += 1
            } else {
                try harness.write("edge.yaml", reloaded % 2 == 0 ? configB : configA)
                guard case .reloaded = harness.reload() else {
                    stop.set()
                    return XCTFail("reload \(index): a valid configuration was refused")
                }
                reloaded += 1
                snapshots.append(WeakSnapshot(harness.gateway.store.current))
            }
            // Traffic flows between reloads: at least one request answered since the last one.
            XCTAssertTrue(waitUntil(seconds: 20) { tally.total > requestsBefore }, "no request was answered after reload \(index)")
        }
        let stormSeconds = Date().timeIntervalSince(started)
        stop.set()
        XCTAssertEqual(clients.wait(timeout: .now() + 60), .success, "a client hung")

        let counts = tally.counts
        print(String(format: "reload storm (measurements): %d reloads (%d applied, %d refused) in %.1f s; %d requests: %@",
            reloads, reloaded, refused, stormSeconds, tally.total,
            counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
        for failure in tally.failures.prefix(5) { XCTFail("a request failed during the storm: \(failure)") }
        XCTAssertEqual(tally.failures.count, 0)
        XCTAssertGreaterThan(counts["200"] ?? 0, 0)
        XCTAssertEqual(harness.gateway.store.current.generation, 1 + reloaded)

        // Nothing left behind: every old snapshot (its pool, transcoder, schema) is freed once
        // its requests are done, and the descriptors (client sockets, upstream connections of the
        // old pools) are back to the baseline.
        let current = harness.gateway.store.current
        XCTAssertTrue(
            waitUntil(seconds: 30) { snapshots.allSatisfy { $0.snapshot == nil || $0.snapshot === current } },
            "old snapshots still alive: generations \(snapshots.compactMap { $0.snapshot?.generation })")
        var descriptorsAfter = Self.openDescriptors()
        _ = waitUntil(seconds: 30) {
            descriptorsAfter = Self.openDescriptors()
            return descriptorsAfter <= descriptorsBefore + 2
        }
        print("reload storm: \(snapshots.count - 1) snapshots replaced, alive after: \(snapshots.filter { $0.snapshot != nil }.count); descriptors \(descriptorsBefore) before, \(descriptorsAfter) after")
        // +2: the current pool may hold a connection per event loop that the baseline had not opened yet.
        XCTAssertLessThanOrEqual(descriptorsAfter, descriptorsBefore + 2, "descriptors left behind by the storm")
    }

    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }
}

private struct WeakSnapshot {
    weak var snapshot: GatewaySnapshot?
    init(_ snapshot: GatewaySnapshot) { self.snapshot = snapshot }
}

/// What the storm's clients got: status counts, and every answer that is not allowed.
private final class StormTally: @unchecked Sendable {
    private let lock = NSLock()
    private var statusCounts: [String: Int] = [:]
    private var failureList: [String] = []
    private var answered = 0

    func record(_ status: Int?, target: String, body: String) {
        lock.withLock {
            answered += 1
            let label = status.map(String.init) ?? "none"
            statusCounts[label, default: 0] += 1
            // 200, or the route is gone in this snapshot: 404 (no such path) or 405 (another method's path).
            if ![200, 404, 405].contains(status ?? 0) {
                failureList.append("GET \(target): \(label) \(body.prefix(300))")
            }
        }
    }

    var total: Int { lock.withLock { answered } }
    var counts: [String: Int] { lock.withLock { statusCounts } }
    var failures: [String] { lock.withLock { failureList } }
}
