import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgePolicy

/// Opt-in (`EDGE_ACCESS_LOG_BENCH=1`): the cost of ``AccessLog/log(_:on:)`` on the event
/// loop, per line, JSON and text, to /dev/null (the writer thread keeps up; nothing is
/// dropped). Prints ns per line; asserts only that every line was written. Numbers from a
/// debug build say little: see docs/access-log.md for the release measurement.
final class AccessLogBenchmarkTests: XCTestCase {
    func testCostPerLineOnTheLoop() throws {
        guard ProcessInfo.processInfo.environment["EDGE_ACCESS_LOG_BENCH"] == "1" else {
            throw XCTSkip("set EDGE_ACCESS_LOG_BENCH=1")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let record = AccessLogFormatterTests.full
        let lines = 500_000
        for format in [AccessLogSettings.Format.json, .text] {
            let log = try AccessLog(
                settings: .init(destination: .file("/dev/null"), format: format, bufferBytes: 1 << 30), eventLoops: [loop])
            let nanos = try loop.submit {
                for _ in 0..<10_000 { log.log(record, on: loop) }  // warm up
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<lines { log.log(record, on: loop) }
                return DispatchTime.now().uptimeNanoseconds - start
            }.wait()
            log.shutdown()
            XCTAssertEqual(log.linesWritten, lines + 10_000)
            print("access log \(format): \(Double(nanos) / Double(lines)) ns per line (log() on the loop)")
        }
    }
}
