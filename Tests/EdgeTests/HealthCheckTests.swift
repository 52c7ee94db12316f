import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgeUpstream

/// Active `grpc.health.v1` health checks: the messages and the thresholds without
/// sockets, then against grpcio's health servicer (`Tests/interop/python_health_backend.py`)
/// and grpc-go's (the benchmark backend).
final class HealthCheckTests: XCTestCase {
    // MARK: Messages and thresholds

    func testRequestEncoding() {
        XCTAssertEqual(Array(HealthCheckMessages.framedRequest(service: "").readableBytesView), [0, 0, 0, 0, 0])
        XCTAssertEqual(
            Array(HealthCheckMessages.framedRequest(service: "a.B").readableBytesView),
            [0, 0, 0, 0, 5, 0x0A, 3] + Array("a.B".utf8))
    }

    func testResponseDecoding() {
        XCTAssertEqual(HealthCheckMessages.servingStatus(of: ByteBuffer(bytes: [0x08, 0x01])), .serving)
        XCTAssertEqual(HealthCheckMessages.servingStatus(of: ByteBuffer(bytes: [0x08, 0x02])), .notServing)
        XCTAssertEqual(HealthCheckMessages.servingStatus(of: ByteBuffer(bytes: [])), .unknown)
        // Unknown fields are skipped; an unknown enum value is not SERVING.
        XCTAssertEqual(HealthCheckMessages.servingStatus(of: ByteBuffer(bytes: [0x12, 0x01, 0x41, 0x08, 0x01])), .serving)
        XCTAssertEqual(HealthCheckMessages.servingStatus(of: ByteBuffer(bytes: [0x08, 0x09])), .unknown)
        XCTAssertNil(HealthCheckMessages.servingStatus(of: ByteBuffer(bytes: [0x08])))
        XCTAssertNil(HealthCheckMessages.servingStatus(of: ByteBuffer(bytes: [0x12, 0x05, 0x41])))
    }

    func testThresholds() {
        let configuration = HealthCheckConfiguration(unhealthyThreshold: 3, healthyThreshold: 2)
        var record = EndpointHealthRecord()
        let now = NIODeadline.now()
        XCTAssertEqual(record.health, .unknown)
        XCTAssertTrue(record.inRotation)
        XCTAssertTrue(record.recordCheck(passed: true, error: nil, now: now, configuration: configuration))
        XCTAssertEqual(record.health, .healthy, "the first passed check is believed at once")
        XCTAssertFalse(record.recordCheck(passed: false, error: "status NOT_SERVING", now: now, configuration: configuration))
        XCTAssertFalse(record.recordCheck(passed: false, error: "status NOT_SERVING", now: now, configuration: configuration))
        XCTAssertTrue(record.inRotation)
        XCTAssertTrue(record.recordCheck(passed: false, error: "status NOT_SERVING", now: now, configuration: configuration))
        XCTAssertEqual(record.health, .unhealthy)
        XCTAssertFalse(record.inRotation)
        XCTAssertEqual(record.lastError, "status NOT_SERVING")
        XCTAssertFalse(record.recordCheck(passed: true, error: nil, now: now, configuration: configuration))
        XCTAssertEqual(record.health, .unhealthy, "one pass is not enough to come back")
        XCTAssertTrue(record.recordCheck(passed: true, error: nil, now: now, configuration: configuration))
        XCTAssertEqual(record.health, .healthy)
        XCTAssertEqual(record.lastCheck, now)
    }

    func testRotationFallsBackToEveryEndpointWhenNoneIsIn() {
        let endpoints = [UpstreamEndpoint(host: "a", port: 1), UpstreamEndpoint(host: "b", port: 2)]
        let health = UpstreamEndpointHealth(endpoints: endpoints)
        let configuration = HealthCheckConfiguration(unhealthyThreshold: 1)
        XCTAssertEqual(health.rotation().indices, [0, 1])
        let version = health.version
        health.recordCheck(endpoint: 0, passed: false, error: "down", configuration: configuration)
        XCTAssertNotEqual(health.version, version)
        XCTAssertEqual(health.rotation().indices, [1])
        XCTAssertFalse(health.rotation().panic)
        health.recordCheck(endpoint: 1, passed: false, error: "down", configuration: configuration)
        XCTAssertEqual(health.rotation().indices, [0, 1])
        XCTAssertTrue(health.rotation().panic)
    }

    // MARK: grpcio

    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/python_health_backend.py").path

    func testPythonEndpointLeavesAndRejoinsTheRotation() throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc, grpc_health.v1.health"]) else {
            throw XCTSkip("python3 with grpcio and grpcio-health-checking is not available")
        }
        let a = try LineProcess(launch: "/usr/bin/env", ["python3", Self.script, "A"])
        defer { a.terminate() }
        let b = try LineProcess(launch: "/usr/bin/env", ["python3", Self.script, "B"])
        defer { b.terminate() }
        let portA = try XCTUnwrap(Int(try a.readLine(timeout: 20)))
        let portB = try XCTUnwrap(Int(try b.readLine(timeout: 20)))

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let check = HealthCheckConfiguration(interval: .milliseconds(50), timeout: .seconds(2), service: "interop.Echo", unhealthyThreshold: 2, healthyThreshold: 2)
        let pool = try UpstreamPool(
            clusters: [UpstreamClusterConfig(name: "py", endpoints: ["127.0.0.1:\(portA)", "127.0.0.1:\(portB)"], healthCheck: check)],
            services: ["interop": "py"])
        defer { pool.close() }
        pool.startHealthChecks(on: group.next())
        let loop = group.next()
        func who() throws -> String {
            let request = UpstreamRequest(path: "/interop.Echo/Who", service: "interop.Echo", metadata: [], message: ByteBuffer(), deadline: .now() + .seconds(10))
            let response = try pool.call(request, policy: CallPolicy(), on: loop).wait()
            XCTAssertEqual(response.status.code, .ok, response.status.message)
            return response.message.map { String(buffer: $0) } ?? ""
        }
        func endpoints() throws -> [UpstreamEndpointStatus] { try XCTUnwrap(pool.upstreamStatus().first).endpoints }

        _ = try ResilienceEdge.poll("both endpoints are healthy") { try endpoints().allSatisfy { $0.health == "healthy" } ? true : nil }
        XCTAssertEqual(Set(try (0..<6).map { _ in try who() }), ["A", "B"])

        try a.writeLine("NOT_SERVING")
        _ = try ResilienceEdge.poll("A is unhealthy") { try endpoints()[0].health == "unhealthy" ? true : nil }
        let down = try endpoints()[0]
        XCTAssertFalse(down.inRotation)
        XCTAssertEqual(down.lastError, "status NOT_SERVING")
        XCTAssertNotNil(down.lastCheck)
        XCTAssertEqual(try (0..<10).map { _ in try who() }, Array(repeating: "B", count: 10))

        // Both out: every endpoint takes calls again (panic mode).
        try b.writeLine("NOT_SERVING")
        _ = try ResilienceEdge.poll("B is unhealthy") { try endpoints()[1].health == "unhealthy" ? true : nil }
        XCTAssertTrue(try XCTUnwrap(pool.upstreamStatus().first).panic)
        XCTAssertEqual(Set(try (0..<6).map { _ in try who() }), ["A", "B"])

        try b.writeLine("SERVING")
        try a.writeLine("SERVING")
        _ = try ResilienceEdge.poll("both endpoints are healthy again") { try endpoints().allSatisfy { $0.health == "healthy" } ? true : nil }
        XCTAssertFalse(try XCTUnwrap(pool.upstreamStatus().first).panic)
        XCTAssertEqual(Set(try (0..<6).map { _ in try who() }), ["A", "B"])
    }

    func testUnknownServiceIsUnhealthy() throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc, grpc_health.v1.health"]) else {
            throw XCTSkip("python3 with grpcio and grpcio-health-checking is not available")
        }
        let a = try LineProcess(launch: "/usr/bin/env", ["python3", Self.script, "A"])
        defer { a.terminate() }
        let port = try XCTUnwrap(Int(try a.readLine(timeout: 20)))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let check = HealthCheckConfiguration(interval: .milliseconds(50), service: "no.such.Service", unhealthyThreshold: 1)
        let pool = try UpstreamPool(clusters: [UpstreamClusterConfig(name: "py", endpoints: ["127.0.0.1:\(port)"], healthCheck: check)], services: ["*": "py"])
        defer { pool.close() }
        pool.startHealthChecks(on: group.next())
        let endpoint = try ResilienceEdge.poll("the endpoint is unhealthy") { () -> UpstreamEndpointStatus? in
            let endpoint = try XCTUnwrap(pool.upstreamStatus().first?.endpoints.first)
            return endpoint.health == "unhealthy" ? endpoint : nil
        }
        XCTAssertTrue(endpoint.lastError?.contains("gRPC status 5") == true, endpoint.lastError ?? "nil")
    }

    // MARK: grpc-go

    private static var goBackend: String { SharedBench.goBackend }

    private static func startGo(port: Int) throws -> (LineProcess, Int) {
        let process = try LineProcess(launch: goBackend, ["-host", "127.0.0.1", "-port", String(port)])
        // "2026/01/01 00:00:00 backend: gRPC listening on 127.0.0.1:PORT (health + ...)"
        let line = try process.readLine(timeout: 20, fromStderr: true)
        guard let address = line.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") }), let bound = Int(address.dropFirst(10)) else {
            process.terminate()
            throw ResilienceFailure("unexpected first line from the Go backend: \(line)")
        }
        return (process, bound)
    }

    func testGoEndpointDownLeavesTheRotationAndComesBack() throws {
        _ = try SharedBench.requireGoBackend()
        let startedA = try Self.startGo(port: 0)
        var first = startedA.0
        let portA = startedA.1
        defer { first.terminate() }
        let (second, portB) = try Self.startGo(port: 0)
        defer { second.terminate() }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let check = HealthCheckConfiguration(interval: .milliseconds(50), timeout: .seconds(2), service: "bench.v1.Catalog", unhealthyThreshold: 2, healthyThreshold: 2)
        let pool = try UpstreamPool(
            clusters: [UpstreamClusterConfig(
                name: "go", endpoints: ["127.0.0.1:\(portA)", "127.0.0.1:\(portB)"], healthCheck: check,
                outlierDetection: .disabled)],
            services: ["bench.v1": "go"])
        defer { pool.close() }
        pool.startHealthChecks(on: group.next())
        let loop = group.next()
        func getProduct() throws -> GRPCStatusCode {
            let request = UpstreamRequest(
                path: "/bench.v1.Catalog/GetProduct", service: "bench.v1.Catalog", metadata: [],
                message: ByteBuffer(bytes: [0x0A, 0x01, 0x78]), deadline: .now() + .seconds(10))
            return try pool.call(request, policy: CallPolicy(), on: loop).wait().status.code
        }
        func endpoints() throws -> [UpstreamEndpointStatus] { try XCTUnwrap(pool.upstreamStatus().first).endpoints }

        _ = try ResilienceEdge.poll("both Go endpoints are healthy") { try endpoints().allSatisfy { $0.health == "healthy" } ? true : nil }

        first.terminate()
        _ = try ResilienceEdge.poll("the stopped endpoint is unhealthy") { try endpoints()[0].health == "unhealthy" ? true : nil }
        XCTAssertEqual(try endpoints()[1].health, "healthy")
        for _ in 0..<10 { XCTAssertEqual(try getProduct(), .ok) }
        // Every call went to the live endpoint at the first attempt: none tried the dead one.
        XCTAssertEqual(try XCTUnwrap(pool.stats(cluster: "go")).attempts, 10)

        // The same port again: healthy after two passed checks, and back in the rotation.
        first = try Self.startGo(port: portA).0
        _ = try ResilienceEdge.poll("the restarted endpoint is healthy") { try endpoints()[0].health == "healthy" ? true : nil }
        XCTAssertTrue(try endpoints().allSatisfy(\.inRotation))
        for _ in 0..<4 { XCTAssertEqual(try getProduct(), .ok) }
    }
}

/// A child process whose output is read line by line and whose stdin the test writes.
final class LineProcess {
    private let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let stdin = Pipe()
    private var buffered: [Bool: Data] = [false: Data(), true: Data()]

    init(launch executable: String, _ arguments: [String]) throws {
        self.process.executableURL = URL(fileURLWithPath: executable)
        self.process.arguments = arguments
        self.process.standardOutput = self.stdout
        self.process.standardError = self.stderr
        self.process.standardInput = self.stdin
        try self.process.run()
    }

    /// The next line (trimmed). Throws when the process exits first. `availableData`
    /// blocks, so the timeout is checked between chunks only; the processes used here
    /// write their first line at start-up or exit.
    func readLine(timeout: TimeInterval, fromStderr: Bool = false) throws -> String {
        let handle = (fromStderr ? self.stderr : self.stdout).fileHandleForReading
        let end = Date().addingTimeInterval(timeout)
        var data = self.buffered[fromStderr]!
        while true {
            if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: data[data.startIndex..<newline], as: UTF8.self)
                self.buffered[fromStderr] = Data(data[data.index(after: newline)...])
                return line.trimmingCharacters(in: .whitespaces)
            }
            guard Date() < end else { throw ResilienceFailure("timed out waiting for a line from \(self.process.executableURL!.path)") }
            let chunk = handle.availableData
            if chunk.isEmpty { throw ResilienceFailure("process exited before writing a line: \(String(decoding: data, as: UTF8.self))") }
            data.append(chunk)
        }
    }

    /// Writes a command line and waits for the process's `ok`.
    func writeLine(_ line: String) throws {
        self.stdin.fileHandleForWriting.write(Data((line + "\n").utf8))
        let answer = try self.readLine(timeout: 10)
        guard answer == "ok" else { throw ResilienceFailure("expected ok, got \(answer)") }
    }

    func terminate() {
        guard self.process.isRunning else { return }
        try? self.stdin.fileHandleForWriting.close()
        self.process.terminate()
        self.process.waitUntilExit()
    }
}
