import Foundation
import XCTest

/// The shared benchmark directory, `../shared/bench` beside the repository (as in CI's checkout
/// and on the development machine), found from this file's place in the repository, never by an
/// absolute path. `bash ../shared/bench/setup.sh` builds its grpc-go backend; `.ci/run` fails
/// when that fails, and `scripts/test.sh` fails a CI run in which a test skips.
enum SharedBench {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = repository.deletingLastPathComponent().appendingPathComponent("shared/bench").standardizedFileURL

    /// The grpc-go benchmark backend binary (`-host`, `-port`; logs its address on stderr).
    static var goBackend: String { directory.appendingPathComponent(".build/bin/backend").path }

    /// The grpc-go backend, or a skip naming the command that builds it.
    static func requireGoBackend() throws -> String {
        let path = goBackend
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("grpc-go backend not built (\(path)); run bash \(directory.path)/setup.sh")
        }
        return path
    }
}
