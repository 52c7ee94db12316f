import Foundation
import XCTest

/// Runs the differential test against the reference implementation (Python
/// protobuf's json_format): `Tests/interop/differential/run.py` drives the built
/// `edge convert --lines` over ≥10,000 generated messages, hand-written and
/// mutated invalid inputs and every JSON option, and prints `N passed, M failed`.
///
/// Needs `swift build` first (scripts/test.sh does it): the harness runs the real
/// executable at `.build/debug/edge`.
final class DifferentialTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testEdgeConvertAgreesWithReferenceImplementation() throws {
        let root = Self.packageRoot
        let edge = root.appendingPathComponent(".build/debug/edge").path
        let harness = root.appendingPathComponent("Tests/interop/differential/run.py").path
        if try run(["python3", "-c", "import google.protobuf"], in: root).status != 0 {
            if ProcessInfo.processInfo.environment["CI"] == nil {
                throw XCTSkip("python3 with protobuf is not installed (scripts/install-deps.sh installs it)")
            }
            XCTFail("CI is set but python3 cannot import google.protobuf; run scripts/install-deps.sh")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: edge) else {
            XCTFail("the edge binary is missing at \(edge): run `swift build` before `swift test` (scripts/test.sh does)")
            return
        }

        let result = try run(["python3", harness, "--edge", edge], in: root)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: true)
        let summary = lines.last.map(String.init) ?? ""
        let counts = summary.split(separator: " ")
        guard counts.count == 4, counts[1] == "passed,", counts[3] == "failed",
            let passed = Int(counts[0]), let failed = Int(counts[2])
        else {
            XCTFail("the differential harness did not end with 'N passed, M failed' (exit \(result.status)):\n\(result.output)")
            return
        }
        if failed != 0 || result.status != 0 {
            XCTFail("edge convert disagrees with the reference implementation in \(failed) cases:\n\(result.output)")
        } else {
            XCTAssertGreaterThan(passed, 10_000, "too few differential cases ran:\n\(result.output)")
        }
    }

    /// Runs a command to completion, stdout and stderr together.
    private func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
