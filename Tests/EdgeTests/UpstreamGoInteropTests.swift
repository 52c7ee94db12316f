import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

/// ``UpstreamPool`` against grpc-go (the benchmark backend), whose BDP estimator sends a
/// PING on nearly every response: hundreds of calls on one connection must not trip
/// swift-nio-http2's control-frame flood protection (which would end in GOAWAY
/// ENHANCE_YOUR_CALM and a lost connection).
final class UpstreamGoInteropTests: XCTestCase {
    func testManyCallsOnOneConnectionSurviveGoPings() throws {
        let backend = try SharedBench.requireGoBackend()
        let server = try InteropProcess(launch: backend, ["-host", "127.0.0.1", "-port", "0"])
        defer { server.terminate() }
        // "2026/01/01 00:00:00 backend: gRPC listening on 127.0.0.1:PORT (health + ...)"
        let line = try server.readLine(fromStderr: true, timeout: 20)
        let address = try XCTUnwrap(line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }, line)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pool = try UpstreamPool(clusters: [UpstreamClusterConfig(name: "go", endpoints: ["\(address)"])], services: ["bench.v1": "go"])
        defer { pool.close() }
        let loop = group.next()

        // 300 sequential calls (grpc-go pings after nearly each), then 20 bursts of 10
        // concurrent calls: ~6 s, 500 calls, hundreds of PINGs, on one connection.
        var okCalls = 0
        func getProduct(_ id: String) -> EventLoopFuture<UpstreamResponse> {
            let id = Array(id.utf8)
            let request = UpstreamRequest(
                path: "/bench.v1.Catalog/GetProduct", service: "bench.v1.Catalog", metadata: [],
                message: ByteBuffer(bytes: [0x0A, UInt8(id.count)] + id),  // GetProductRequest{id}
                deadline: .now() + .seconds(10)
            )
            return pool.call(request, policy: CallPolicy(), on: loop)
        }
        func check(_ response: UpstreamResponse, id: String) {
            XCTAssertEqual(response.status.code, .ok, response.status.message)
            let id = Array(id.utf8)
            // Product.id is field 1, written first.
            XCTAssertEqual(response.message.map { Array($0.readableBytesView.prefix(2 + id.count)) }, [0x0A, UInt8(id.count)] + id)
            if response.status.code == .ok { okCalls += 1 }
        }
        for i in 0..<300 {
            check(try getProduct("seq-\(i)").wait(), id: "seq-\(i)")
            usleep(10_000)
        }
        for round in 0..<20 {
            let futures = (0..<10).map { getProduct("p-\(round)-\($0)") }
            for (i, future) in futures.enumerated() {
                check(try future.wait(), id: "p-\(round)-\(i)")
            }
            usleep(100_000)
        }
        XCTAssertEqual(okCalls, 500)
        let invalid = try pool.call(
            UpstreamRequest(path: "/bench.v1.Catalog/GetProduct", service: "bench.v1.Catalog", metadata: [], message: ByteBuffer(), deadline: .now() + .seconds(5)),
            policy: CallPolicy(), on: loop
        ).wait()
        XCTAssertEqual(invalid.status, GRPCStatus(code: .invalidArgument, message: "id is required"))

        let stats = try XCTUnwrap(pool.stats(cluster: "go"))
        XCTAssertEqual(stats.connectionsOpened, 1, "\(stats)")
        XCTAssertEqual(stats.connectionsClosed, 0, "\(stats)")
        XCTAssertEqual(stats.goAwaysReceived, 0, "\(stats)")
        XCTAssertEqual(stats.retries, 0, "\(stats)")
        print("grpc-go interop: \(okCalls) calls, \(stats.pingsReceived) PINGs answered on one connection")
    }

    /// Opt-in micro-benchmark (`EDGE_UPSTREAM_BENCH=1`): process CPU time per unary call
    /// against the grpc-go backend, 64 calls in flight on one event loop. Build in release
    /// for meaningful numbers; no assertion on the result.
    func testCPUPerCallBenchmark() throws {
        guard ProcessInfo.processInfo.environment["EDGE_UPSTREAM_BENCH"] == "1" else {
            throw XCTSkip("set EDGE_UPSTREAM_BENCH=1 to run the upstream CPU-per-call micro-benchmark")
        }
        let backend = try SharedBench.requireGoBackend()
        let server = try InteropProcess(launch: "/usr/bin/taskset", ["-c", "0", backend, "-host", "127.0.0.1", "-port", "0"])
        defer { server.terminate() }
        let line = try server.readLine(fromStderr: true, timeout: 20)
        let address = try XCTUnwrap(line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }, line)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pool = try UpstreamPool(clusters: [UpstreamClusterConfig(name: "go", endpoints: ["\(address)"])], services: ["bench.v1": "go"])
        defer { pool.close() }
        let loop = group.next()
        let message = ByteBuffer(bytes: [0x0A, 0x03] + Array("abc".utf8))

        func run(_ total: Int) throws {
            let done = loop.makePromise(of: Void.self)
            let state = BenchState(total: total)
            @Sendable func launch() {
                state.started += 1
                let request = UpstreamRequest(
                    path: "/bench.v1.Catalog/GetProduct", service: "bench.v1.Catalog", metadata: [],
                    message: message, deadline: .now() + .seconds(10)
                )
                pool.call(request, policy: CallPolicy(), on: loop).whenSuccess { response in
                    if response.status.code != .ok { state.failed += 1 }
                    state.finished += 1
                    if state.finished == state.total {
                        done.succeed()
                    } else if state.started < state.total {
                        launch()
                    }
                }
            }
            loop.execute { for _ in 0..<min(64, total) { launch() } }
            try done.futureResult.wait()
            XCTAssertEqual(state.failed, 0)
        }
        try run(2_000)  // warm-up: connection, allocator, caches
        let calls = 20_000
        let before = Self.cpuMicroseconds()
        let start = NIODeadline.now()
        try run(calls)
        let cpu = Self.cpuMicroseconds() - before
        let wall = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        print(String(format: "upstream bench: %d calls, %.1f us CPU/call (edge process), %.0f calls/s", calls, Double(cpu) / Double(calls), Double(calls) / wall))
    }

    private static func cpuMicroseconds() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }
}

/// Counters of the micro-benchmark, touched only on its event loop.
private final class BenchState: @unchecked Sendable {
    let total: Int
    var started = 0
    var finished = 0
    var failed = 0
    init(total: Int) { self.total = total }
}
