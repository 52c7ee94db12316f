import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

/// ``UpstreamPool`` against a real grpcio (C-core) server: `Tests/interop/python_backend.py`.
final class UpstreamPythonInteropTests: XCTestCase {
    private var backend: PythonEchoBackend!
    private var group: MultiThreadedEventLoopGroup { self.backend.group }
    private var pool: UpstreamPool { self.backend.pool }

    override func setUpWithError() throws {
        self.backend = try PythonEchoBackend()
    }

    override func tearDown() {
        self.backend?.stop()
    }

    private func call(_ method: String, _ message: [UInt8], metadata: [(name: String, value: String)] = [], timeout: TimeAmount = .seconds(10), policy: CallPolicy = CallPolicy()) throws -> UpstreamResponse {
        let request = UpstreamRequest(
            path: "/interop.Echo/\(method)", service: "interop.Echo", metadata: metadata,
            message: ByteBuffer(bytes: message), deadline: .now() + timeout
        )
        return try self.pool.call(request, policy: policy, on: self.group.next()).wait()
    }

    func testEchoWithMetadataBothWays() throws {
        let payload = Array("hello grpcio".utf8)
        let response = try call("Echo", payload, metadata: [("x-echo-user", "alice")])
        XCTAssertEqual(response.status, GRPCStatus(code: .ok))
        XCTAssertEqual(response.message.map { Array($0.readableBytesView) }, payload)
        let headers = Dictionary(response.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(headers["x-echo-user"], "alice")
        XCTAssertEqual(headers["x-saw-timeout"], "yes", "grpcio did not see a grpc-timeout")
        XCTAssertEqual(response.trailers.first { $0.name == "x-trailer" }?.value, "done")
    }

    func testEmptyAndLargeMessages() throws {
        XCTAssertEqual(try call("Echo", []).message?.readableBytes, 0)
        let big = try call("Big", Array("3000000".utf8), policy: CallPolicy(maxResponseBytes: 4 << 20))
        XCTAssertEqual(big.status.code, .ok)
        XCTAssertEqual(big.message?.readableBytes, 3_000_000)
    }

    func testSizeLimit() throws {
        let response = try call("Big", Array("100000".utf8), policy: CallPolicy(maxResponseBytes: 1000))
        XCTAssertEqual(response.status.code, .resourceExhausted)
        // The connection stays usable after the reset.
        XCTAssertEqual(try call("Echo", [1]).status.code, .ok)
    }

    func testStatusWithDetails() throws {
        let response = try call("Fail", [])
        let message = "bad request: 100% wrong ✗"
        XCTAssertEqual(response.status.code, .invalidArgument)
        XCTAssertEqual(response.status.message, message)
        // google.rpc.Status{code: 3, message: ...}
        XCTAssertEqual(response.status.details, [0x08, 0x03, 0x12, UInt8(message.utf8.count)] + Array(message.utf8))
        XCTAssertEqual(response.trailers.first { $0.name == "x-reason" }?.value, "test")
        XCTAssertNil(response.trailers.first { $0.name.hasPrefix("grpc-") })
    }

    func testDeadline() throws {
        let response = try call("Sleep", Array("2000".utf8), timeout: .milliseconds(300))
        XCTAssertEqual(response.status.code, .deadlineExceeded)
        XCTAssertEqual(try call("Echo", [2]).status.code, .ok)
    }

    func testUnknownMethodIsUnimplemented() throws {
        XCTAssertEqual(try call("Nope", []).status.code, .unimplemented)
    }

    func testConcurrentCalls() throws {
        let loop = self.group.next()
        let futures = (0..<100).map { i in
            self.pool.call(
                UpstreamRequest(path: "/interop.Echo/Echo", service: "interop.Echo", metadata: [], message: ByteBuffer(bytes: [UInt8(i)]), deadline: .now() + .seconds(10)),
                policy: CallPolicy(), on: loop
            )
        }
        for (i, future) in futures.enumerated() {
            XCTAssertEqual(try future.wait().message.map { Array($0.readableBytesView) }, [UInt8(i)])
        }
        XCTAssertEqual(self.pool.stats(cluster: "py")?.connectionsOpened, 1)
    }
}

/// A child process for interop tests: reads its first output line, kills it at the end.
final class InteropProcess {
    private let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let stdin = Pipe()

    init(launch executable: String, _ arguments: [String]) throws {
        self.process.executableURL = URL(fileURLWithPath: executable)
        self.process.arguments = arguments
        self.process.standardOutput = self.stdout
        self.process.standardError = self.stderr
        self.process.standardInput = self.stdin
        try self.process.run()
    }

    static func succeeds(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// The first line the process writes, trimmed. Throws when it exits or times out first.
    func readLine(fromStderr: Bool, timeout: TimeInterval) throws -> String {
        let handle = (fromStderr ? self.stderr : self.stdout).fileHandleForReading
        let end = Date().addingTimeInterval(timeout)
        var data = Data()
        while Date() < end {
            let chunk = handle.availableData
            if chunk.isEmpty {
                throw InteropError("process exited before writing a line: \(String(decoding: data, as: UTF8.self))")
            }
            data.append(chunk)
            if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: data[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
        }
        throw InteropError("timed out waiting for the process to write a line")
    }

    func terminate() {
        try? self.stdin.fileHandleForWriting.close()
        if self.process.isRunning { self.process.terminate() }
        self.process.waitUntilExit()
    }

    struct InteropError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
