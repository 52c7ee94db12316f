import Foundation
import XCTest

/// The short soak (about a minute; Benchmarks/soak.sh runs the 10-minute one): `edge serve`
/// (the built binary) under steady mixed load against the shared bench's grpc-go backend.
/// The script asserts: no unexpected answer, RSS not growing, descriptors back to the
/// baseline after the load; this test runs it and shows its figures.
final class SoakTests: XCTestCase {
    func testOneMinuteSoak() throws {
        _ = try SharedBench.requireGoBackend()
        let seconds = ProcessInfo.processInfo.environment["EDGE_SOAK_SECONDS"] ?? "60"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [SharedBench.repository.appendingPathComponent("Benchmarks/soak.sh").path, seconds]
        process.currentDirectoryURL = SharedBench.repository
        var environment = ProcessInfo.processInfo.environment
        environment["EDGE_BIN"] = SharedBench.repository.appendingPathComponent(".build/debug/edge").path
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(output.split(separator: "\n").filter { $0.hasPrefix("soak: ") && !$0.hasPrefix("soak: t=") }.joined(separator: "\n"))
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("unexpected 0;"), output)
    }
}
