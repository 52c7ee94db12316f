import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Prometheus
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgePolicy

#if canImport(Glibc)
import Glibc
#endif

/// The access log end to end: real event loops, real files, a real FIFO whose reader
/// stalls, /dev/full for a failing disk, renames for rotation and SIGUSR1.
final class AccessLogTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var loops: [any EventLoop] = []
    private var directory: String!

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        loops = Array(group.makeIterator())
        directory = NSTemporaryDirectory() + "access-log-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try group.syncShutdownGracefully()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func record(_ index: Int, status: Int = 200, id: String? = nil) -> AccessLogRecord {
        AccessLogRecord(
            timeUnixNanos: AccessLogRecord.wallClockNanos(), requestID: id ?? "line-\(index)", clientAddress: "192.0.2.7",
            method: "GET", path: "/v1/shelves/\(index)", route: "GET /v1/shelves/{shelf}",
            grpcMethod: "/bookstore.Bookstore/GetShelf", status: status, grpcCode: status < 400 ? 0 : 5, bytesOut: 120,
            durationNanos: 1_500_000, userAgent: "edge-tests")
    }

    /// Logs `count` records on `loop`, from the loop.
    private func log(
        _ log: AccessLog, on loop: any EventLoop, count: Int, from start: Int = 0,
        make: @escaping @Sendable (Int) -> AccessLogRecord
    ) throws {
        try loop.submit { for index in start..<(start + count) { log.log(make(index), on: loop) } }.wait()
    }

    private func lines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    // MARK: Writing and shutdown

    func testShutdownWritesEveryBufferedLineFromEveryLoop() throws {
        let path = directory + "/access.log"
        let log = try AccessLog(
            settings: .init(destination: .file(path), flushInterval: .seconds(600)), eventLoops: loops)
        let make = { @Sendable (index: Int) in Self.record(index) }
        try self.log(log, on: loops[0], count: 300, make: make)
        try self.log(log, on: loops[1], count: 200, from: 300, make: make)
        log.shutdown()

        let written = lines(path)
        XCTAssertEqual(written.count, 500)
        XCTAssertEqual(log.linesWritten, 500)
        XCTAssertEqual(log.linesDropped, 0)
        let ids = try Set(written.map { try AccessLogFormatterTests.parse($0)["request_id"] as? String ?? "" })
        XCTAssertEqual(ids, Set((0..<500).map { "line-\($0)" }))

        // After shutdown: counted as dropped, never written, never a crash.
        try self.log(log, on: loops[0], count: 3, from: 500, make: make)
        log.log(Self.record(503), on: loops[1])  // not on that loop: the slow path
        XCTAssertTrue(waitUntil(seconds: 10) { log.linesDropped == 4 }, "dropped \(log.linesDropped)")
        XCTAssertEqual(lines(path).count, 500)
        log.shutdown()  // a second call returns
    }

    func testLinesAreHandedOverAfterTheFlushInterval() throws {
        let path = directory + "/access.log"
        let log = try AccessLog(
            settings: .init(destination: .file(path), flushInterval: .milliseconds(50)), eventLoops: loops)
        defer { log.shutdown() }
        try self.log(log, on: loops[1], count: 3) { Self.record($0) }
        XCTAssertTrue(waitUntil(seconds: 10) { self.lines(path).count == 3 }, "lines: \(lines(path).count)")
        XCTAssertEqual(log.linesWritten, 3)
    }

    func testAFullChunkIsHandedOverWithoutWaitingForTheInterval() throws {
        let path = directory + "/access.log"
        let log = try AccessLog(
            settings: .init(destination: .file(path), flushInterval: .seconds(600)), eventLoops: loops)
        defer { log.shutdown() }
        // ~200 bytes a line: 2000 lines pass a 64 KiB chunk several times.
        try self.log(log, on: loops[0], count: 2000) { Self.record($0) }
        XCTAssertTrue(waitUntil(seconds: 10) { self.lines(path).count > 0 })
        XCTAssertLessThan(lines(path).count, 2000, "the last, partial chunk waits for the interval")
    }

    func testTextFormatAndFieldSelectionReachTheFile() throws {
        let path = directory + "/access.log"
        let log = try AccessLog(
            settings: .init(destination: .file(path), format: .text, fields: [.status, .path, .request_id]),
            eventLoops: loops)
        try self.log(log, on: loops[0], count: 2) { Self.record($0, status: $0 == 0 ? 200 : 404) }
        log.shutdown()
        XCTAssertEqual(lines(path), [#""/v1/shelves/0" 200 id=line-0"#, #""/v1/shelves/1" 404 id=line-1"#])
    }

    func testSamplingAndErrorsOnlyThroughTheLog() throws {
        let make = { @Sendable (index: Int) in Self.record(index, status: index % 10 == 9 ? 503 : 200) }
        let sampledPath = directory + "/sampled.log"
        let sampled = try AccessLog(settings: .init(destination: .file(sampledPath), sampling: 0.5), eventLoops: loops)
        try log(sampled, on: loops[0], count: 1000, make: make)
        sampled.shutdown()
        XCTAssertEqual(lines(sampledPath).count, 100 + 450)

        let errorsPath = directory + "/errors.log"
        let errors = try AccessLog(settings: .init(destination: .file(errorsPath), errorsOnly: true), eventLoops: loops)
        try log(errors, on: loops[1], count: 1000, make: make)
        errors.shutdown()
        let written = lines(errorsPath)
        XCTAssertEqual(written.count, 100)
        XCTAssertTrue(try written.allSatisfy { try AccessLogFormatterTests.parse($0)["status"] as? Int == 503 })
    }

    func testCallsFromOtherThreadsAndUnknownLoopsTakeTheSlowPath() throws {
        let path = directory + "/access.log"
        let log = try AccessLog(settings: .init(destination: .file(path)), eventLoops: loops)
        log.log(Self.record(0), on: loops[0])  // from the test thread, not the loop
        let stranger = EmbeddedEventLoop()
        log.log(Self.record(1), on: stranger)
        log.shutdown()
        XCTAssertEqual(Set(try lines(path).map { try AccessLogFormatterTests.parse($0)["request_id"] as? String }), ["line-0", "line-1"])
    }

    func testMetricsCountWrittenLines() throws {
        let registry = PrometheusCollectorRegistry()
        let log = try AccessLog(
            settings: .init(destination: .file(directory + "/access.log")), eventLoops: loops, metrics: registry)
        try self.log(log, on: loops[0], count: 5) { Self.record($0) }
        log.shutdown()
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        XCTAssertTrue(text.contains("edge_access_log_lines_written_total 5"), text)
        XCTAssertTrue(text.contains("edge_access_log_lines_dropped_total 0"), text)
    }

    // MARK: A destination that cannot keep up or fails

    /// The FIFO's reader holds it open and reads nothing: the pipe fills, the writer waits,
    /// the queue fills, and from then on chunks are dropped. Logging 200k lines from an event
    /// loop returns (it never waits); the drops are counted and warned about; once the reader
    /// drains, new lines get through; every line is either written or counted as dropped.
    func testAStalledReaderNeverBlocksTheLoopAndDropsAreCounted() throws {
        let fifo = directory + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(reader, 0)
        let captured = CapturedLogs()
        let log = try AccessLog(
            settings: .init(destination: .file(fifo), bufferBytes: 64 << 10, flushInterval: .milliseconds(20)),
            eventLoops: loops, logger: captured.logger)

        try self.log(log, on: loops[0], count: 200_000) { Self.record($0) }
        XCTAssertGreaterThan(log.linesDropped, 0)
        XCTAssertTrue(
            waitUntil(seconds: 10) { captured.warnings.contains { $0.contains("dropped_lines") } },
            "no drop warning: \(captured.warnings)")

        // Start reading; new lines get through again.
        _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) & ~O_NONBLOCK)
        let drain = PipeDrain(descriptor: reader)
        var marker = 0
        XCTAssertTrue(waitUntil(seconds: 30) {
            marker += 1
            try? self.log(log, on: self.loops[1], count: 1, from: 200_000 + marker) { Self.record($0, id: "after-drain") }
            return drain.contains("\"request_id\":\"after-drain\"")
        }, "no line after the reader started draining")

        log.shutdown()
        let drained = drain.finish()
        close(reader)
        let total = 200_000 + marker
        XCTAssertEqual(log.linesWritten + log.linesDropped, total)
        XCTAssertEqual(drained.count, log.linesWritten)
        XCTAssertTrue(drained.allSatisfy { $0.first == "{" && $0.last == "}" }, "a torn line")
        XCTAssertEqual(captured.droppedLinesWarnedAbout, log.linesDropped, "every drop is in a warning by shutdown")
    }

    func testAFailingDiskCountsEveryLineAsDroppedAndSaysWhy() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/dev/full"), "/dev/full is Linux's")
        let captured = CapturedLogs()
        let log = try AccessLog(settings: .init(destination: .file("/dev/full")), eventLoops: loops, logger: captured.logger)
        try self.log(log, on: loops[0], count: 50) { Self.record($0) }
        log.shutdown()
        XCTAssertEqual(log.linesWritten, 0)
        XCTAssertEqual(log.linesDropped, 50)
        let warning = captured.warnings.joined(separator: "\n")
        XCTAssertEqual(captured.droppedLinesWarnedAbout, 50, warning)
        XCTAssertTrue(warning.contains(String(cString: strerror(ENOSPC))), warning)
    }

    /// Standard output borrowed for the test: a pipe replaces fd 1 while `body` runs, then
    /// fd 1 is restored. Assert after it returns: XCTest writes failures to standard output.
    private func withStandardOutputPipe<Result>(_ body: (_ readEnd: CInt) throws -> Result) throws -> Result {
        var ends: [CInt] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        fflush(nil)
        let saved = dup(STDOUT_FILENO)
        dup2(ends[1], STDOUT_FILENO)
        close(ends[1])
        defer {
            dup2(saved, STDOUT_FILENO)
            close(saved)
            close(ends[0])
        }
        return try body(ends[0])
    }

    func testStandardOutputGetsTheLinesAndStaysOpen() throws {
        let (written, stillOpen, lines) = try withStandardOutputPipe { readEnd in
            let drain = PipeDrain(descriptor: readEnd)
            let log = try AccessLog(settings: .init(destination: .stdout), eventLoops: loops)
            // ~1 MB through a 64 KiB pipe: many PIPE_BUF pieces, waits for the reader in between.
            try self.log(log, on: loops[0], count: 5000) { Self.record($0) }
            log.shutdown()
            let stillOpen = fcntl(STDOUT_FILENO, F_GETFD) != -1
            let null = open("/dev/null", O_WRONLY)
            dup2(null, STDOUT_FILENO)  // the pipe's last writer gone: the drain's end of file
            close(null)
            return (log.linesWritten, stillOpen, drain.finish())
        }
        XCTAssertEqual(written, 5000)
        XCTAssertTrue(stillOpen, "shutdown closed standard output")
        XCTAssertEqual(lines.count, 5000)
        XCTAssertTrue(lines.allSatisfy { $0.first == "{" && $0.last == "}" }, "a torn line")
    }

    func testAStalledStandardOutputCannotHoldUpShutdown() throws {
        let captured = CapturedLogs()
        let (written, dropped, pending) = try withStandardOutputPipe { readEnd in
            let log = try AccessLog(settings: .init(destination: .stdout), eventLoops: loops, logger: captured.logger)
            try self.log(log, on: loops[0], count: 5000) { Self.record($0) }
            log.shutdown(timeout: .milliseconds(300))  // returns although nobody reads
            var pending: CInt = 0
            _ = ioctl(readEnd, UInt(FIONREAD), &pending)
            return (log.linesWritten, log.linesDropped, Int(pending))
        }
        XCTAssertGreaterThan(written, 0, "the pipe took some lines")
        XCTAssertGreaterThan(dropped, 0)
        XCTAssertEqual(written + dropped, 5000)
        XCTAssertGreaterThan(pending, 0)
        XCTAssertEqual(captured.droppedLinesWarnedAbout, dropped, "\(captured.warnings)")
    }

    // MARK: Opening and reopening

    func testDestinationsThatCannotBeOpenedGiveClearErrors() throws {
        let fifo = directory + "/lonely-fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let cases: [(AccessLogSettings, String)] = [
            (.init(destination: .file(directory)), "\(directory!): cannot open for appending: \(String(cString: strerror(EISDIR)))"),
            (.init(destination: .file(directory + "/missing/access.log")), "missing/access.log: cannot open for appending: \(String(cString: strerror(ENOENT)))"),
            (.init(destination: .file(fifo)), "a FIFO that no process has open for reading"),
            (.init(destination: .file("")), "observability.access_log.path: empty"),
            (.init(destination: .stdout, sampling: 1.5), "sampling: 1.5 is not a fraction between 0 and 1"),
            (.init(destination: .stdout, fields: []), "fields: empty"),
            (.init(destination: .stdout, fields: [.status, .path, .status]), "fields: status is listed twice"),
            (.init(destination: .stdout, bufferBytes: 100), "buffer_bytes: 100 is below the minimum"),
        ]
        for (settings, message) in cases {
            XCTAssertThrowsError(try AccessLog(settings: settings, eventLoops: loops)) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error) does not say \(message)")
            }
        }
    }

    func testReopenAfterARenameWritesToANewFileAtThePath() throws {
        let path = directory + "/access.log"
        let log = try AccessLog(
            settings: .init(destination: .file(path), flushInterval: .milliseconds(20)), eventLoops: loops)
        try self.log(log, on: loops[0], count: 10) { Self.record($0) }
        XCTAssertTrue(waitUntil(seconds: 10) { self.lines(path).count == 10 })

        XCTAssertEqual(rename(path, path + ".1"), 0)
        log.reopen()
        try self.log(log, on: loops[1], count: 7, from: 10) { Self.record($0) }
        log.shutdown()
        XCTAssertEqual(lines(path + ".1").count, 10)
        XCTAssertEqual(try lines(path).map { try AccessLogFormatterTests.parse($0)["request_id"] as? String },
                       (10..<17).map { "line-\($0)" })
    }

    func testAFailedReopenKeepsWritingToTheOpenFile() throws {
        let subdirectory = directory + "/logs"
        try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: true)
        let path = subdirectory + "/access.log"
        let captured = CapturedLogs()
        let log = try AccessLog(settings: .init(destination: .file(path)), eventLoops: loops, logger: captured.logger)
        XCTAssertEqual(rename(subdirectory, directory + "/moved"), 0)
        log.reopen()  // the path's directory is gone
        try self.log(log, on: loops[0], count: 4) { Self.record($0) }
        log.shutdown()
        XCTAssertEqual(lines(directory + "/moved/access.log").count, 4)
        XCTAssertTrue(captured.errors.contains { $0.contains("reopen failed") }, "\(captured.errors)")
    }

    func testSIGUSR1Reopens() throws {
        let path = directory + "/access.log"
        let log = try AccessLog(
            settings: .init(destination: .file(path), flushInterval: .milliseconds(20)), eventLoops: loops)
        let signals = ManagedCounter()
        let reopenSignal = AccessLogReopenSignal()
        reopenSignal.start {
            log.reopen()
            signals.increment()
        }
        defer { reopenSignal.stop() }
        try self.log(log, on: loops[0], count: 3) { Self.record($0) }
        XCTAssertTrue(waitUntil(seconds: 10) { self.lines(path).count == 3 })

        XCTAssertEqual(rename(path, path + ".1"), 0)
        kill(getpid(), SIGUSR1)
        XCTAssertTrue(waitUntil(seconds: 15) { signals.value == 1 }, "SIGUSR1 did not arrive")
        try self.log(log, on: loops[0], count: 2, from: 3) { Self.record($0) }
        log.shutdown()
        XCTAssertEqual(lines(path + ".1").count, 3)
        XCTAssertEqual(lines(path).count, 2)

        // Stopped: SIGUSR1 stays ignored, never fatal.
        reopenSignal.stop()
        kill(getpid(), SIGUSR1)
    }
}

/// Reads a pipe on its own thread until end of file, keeping the lines.
private final class PipeDrain: @unchecked Sendable {
    private let lock = NIOLock()
    private var data: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(descriptor: CInt) {
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                lock.withLock { data.append(contentsOf: chunk[0..<count]) }
            }
            done.signal()
        }
        thread.start()
    }

    func contains(_ text: String) -> Bool {
        lock.withLock { String(decoding: data, as: UTF8.self).contains(text) }
    }

    /// Waits for end of file (the writer closed its end) and returns the lines.
    func finish() -> [String] {
        done.wait()
        return lock.withLock { String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init) }
    }
}

/// A counter another thread bumps.
private final class ManagedCounter: @unchecked Sendable {
    private let lock = NIOLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// A swift-log handler that keeps warnings and errors, with their metadata, for assertions.
private final class CapturedLogs: @unchecked Sendable {
    private let lock = NIOLock()
    private var warningLines: [String] = []
    private var errorLines: [String] = []

    var warnings: [String] { lock.withLock { warningLines } }
    var errors: [String] { lock.withLock { errorLines } }

    /// The `dropped_lines` of every warning, added up.
    var droppedLinesWarnedAbout: Int {
        warnings.reduce(0) { sum, line in
            guard let range = line.range(of: "dropped_lines: ") else { return sum }
            return sum + (Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0)
        }
    }

    var logger: Logger {
        Logger(label: "access-log-test") { _ in Handler(owner: self) }
    }

    fileprivate func keep(_ level: Logger.Level, _ line: String) {
        lock.withLock {
            if level == .warning { warningLines.append(line) }
            if level >= .error { errorLines.append(line) }
        }
    }

    private struct Handler: LogHandler {
        let owner: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            owner.keep(event.level, "\(event.message) \(fields.joined(separator: ", "))")
        }
    }
}
