import Dispatch
import EdgeDemo
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The production start-up path, for real: the built `edge serve --config FILE` binary
/// (`EdgeLauncher.run(configFile:)`: configuration, reflection-free schema load, listeners,
/// ServiceGroup with its signal handling) as a child process, in front of the demo service in
/// this process. It serves; SIGTERM drains it: the request in flight is answered, the process
/// exits 0, and the port is closed after.
///
/// Needs `swift build` first (scripts/test.sh does): it runs `.build/debug/edge`.
final class EdgeServeProcessTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testServeAnswersAndSIGTERMDrainsTheRequestInFlight() throws {
        let edge = Self.repository.appendingPathComponent(".build/debug/edge").path
        guard FileManager.default.isExecutableFile(atPath: edge) else {
            return XCTFail("the edge binary is missing at \(edge): run `swift build` before `swift test` (scripts/test.sh does)")
        }
        let demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        defer { _ = try? EndToEndFixture.blocking { await demo.shutdown(gracePeriod: .seconds(1)) } }
        // Ports held by this process (bound, not listening) until the child binds them.
        let port = try EndToEndFixture.closedPort()
        let adminPort = try EndToEndFixture.closedPort()
        let directory = NSTemporaryDirectory() + "edge-serve-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = EndToEndFixture.gatewayYAML(ports: [demo.port])
            .replacingOccurrences(of: "  port: 0\n  admin: {host: 127.0.0.1, port: 0}", with: "  port: \(port)\n  admin: {host: 127.0.0.1, port: \(adminPort)}")
        XCTAssertTrue(config.contains("port: \(port)"), config)
        let file = directory + "/edge.yaml"
        try Data(config.utf8).write(to: URL(fileURLWithPath: file))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: edge)
        process.arguments = ["serve", "--config", file]
        let log = directory + "/edge.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func logText() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        // Serving: the readiness endpoint and a transcoded call.
        XCTAssertTrue(
            waitUntil(seconds: 60) { (try? EndToEndClient.send(port: adminPort, "GET", "/readyz").status) == 200 },
            "edge serve never became ready:\n\(logText())")
        let shelves = try EndToEndClient.send(port: port, "GET", "/v1/shelves")
        XCTAssertEqual(shelves.status, 200, shelves.body)

        // A slow request in flight, then SIGTERM.
        let slow = AsyncResult<EndToEndResponse>()
        Thread.detachNewThread {
            slow.set(Result { try EndToEndClient.send(port: port, "GET", "/v1/debug/sleep?duration=1s", readTimeoutSeconds: 30) })
        }
        // The edge has read the request off its socket (the kernel holds nothing unread for it).
        XCTAssertTrue(
            waitUntil(seconds: 20) {
                let queues = ServerSocketQueue.unreadBytes(port: port)
                return !queues.isEmpty && queues.allSatisfy { $0 == 0 }
            }, "the slow request never reached the edge")
        kill(process.processIdentifier, SIGTERM)

        let response = try XCTUnwrap(slow.wait(seconds: 30), "the request in flight got no answer").get()
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertTrue(response.body.contains("slept"), response.body)
        XCTAssertTrue(waitUntil(seconds: 30) { !process.isRunning }, "edge serve did not exit after SIGTERM:\n\(logText())")
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, logText())
        XCTAssertEqual(process.terminationStatus, 0, logText())
        XCTAssertThrowsError(try EndToEndClient.send(port: port, "GET", "/v1/shelves"), "still listening after the drain")
    }
}
