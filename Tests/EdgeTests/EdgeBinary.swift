import Foundation
import XCTest

/// The built `edge` executable (`.build/debug/edge`), run as a user runs it.
/// `swift build` makes it before `swift test` (scripts/test.sh does both).
enum EdgeBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path() throws -> String {
        let path = packageRoot.appendingPathComponent(".build/debug/edge").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("the edge binary is missing at \(path): run `swift build` before `swift test`")
        }
        return path
    }

    /// Runs `edge arguments…` to completion in the package root: exit status and stdout.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
