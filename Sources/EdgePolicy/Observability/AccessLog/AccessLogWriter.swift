import Atomics
import Foundation
import Logging
import NIOCore
import Prometheus
import EdgeConfig
import EdgeUpstream

/// The access log's one writer thread and the bounded queue of chunks that feeds it.
///
/// Event loops hand over whole chunks (many lines) with one lock operation each; the
/// thread takes them one at a time and does the blocking work (`write(2)`, `poll(2)`,
/// reopening, logging warnings). When the bytes queued and in flight would pass
/// `limit`, the chunk offered is dropped and its lines counted: a loop never waits
/// for the disk or a slow reader.
package final class AccessLogWriter: @unchecked Sendable {
    package struct Chunk {
        package var bytes: ByteBuffer
        package var lines: Int
    }

    package let limit: Int
    package let linesWritten = ManagedAtomic<Int>(0)
    package let linesDropped = ManagedAtomic<Int>(0)

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue = CircularBuffer<Chunk>()
    private var queuedBytes = 0
    private var reopenRequested = false
    private var stopDeadline: NIODeadline?
    private var droppedSinceWarning = 0
    private var lastWriteError: CInt?
    /// Written chunks' buffers, emptied, for the loops to fill again: their memory is
    /// already mapped, so a loop's next chunk costs no allocation and no page faults.
    private var spareBuffers: [ByteBuffer] = []
    private let maximumSpareBuffers: Int

    // The writer thread's own.
    private let file: AccessLogFile
    private var lastWarning: NIODeadline?
    private let warningInterval: TimeAmount

    private let logger: Logger
    private let writtenCounter: Counter?
    private let droppedCounter: Counter?
    private let finished = DispatchSemaphore(value: 0)
    private let stopRequested = ManagedAtomic(false)

    package init(
        file: AccessLogFile, limit: Int, logger: Logger, metrics: PrometheusCollectorRegistry?, spareBuffers: Int = 4,
        warningInterval: TimeAmount = .seconds(10)
    ) {
        self.file = file
        self.maximumSpareBuffers = spareBuffers
        self.limit = limit
        self.logger = logger
        self.warningInterval = warningInterval
        self.writtenCounter = metrics?.makeCounter(descriptor: .init(
            metricName: "edge_access_log_lines_written", unitName: "total",
            helpText: "Access log lines written to the destination"))
        self.droppedCounter = metrics?.makeCounter(descriptor: .init(
            metricName: "edge_access_log_lines_dropped", unitName: "total",
            helpText: "Access log lines dropped because the destination could not keep up or failed"))
        let thread = Thread { [self] in run() }
        thread.name = "edge.access-log"
        thread.start()
    }

    package enum Handover {
        /// Queued; here is an empty buffer for the next lines, if one was spare.
        case accepted(spare: ByteBuffer?)
        /// Dropped (the bound, or the writer stopped) and counted.
        case refused
    }

    /// Queues `chunk` unless that would pass the bound (or the writer stopped); a refused
    /// chunk's lines are counted as dropped. One lock operation; never waits.
    @discardableResult
    package func enqueue(_ chunk: Chunk, takingSpare: Bool = true) -> Handover {
        let size = chunk.bytes.readableBytes
        condition.lock()
        guard stopDeadline == nil, queuedBytes + size <= limit else {
            droppedSinceWarning += chunk.lines
            condition.unlock()
            countDropped(chunk.lines)
            return .refused
        }
        queue.append(chunk)
        queuedBytes += size
        let spare = takingSpare ? spareBuffers.popLast() : nil
        condition.signal()
        condition.unlock()
        return .accepted(spare: spare)
    }

    /// Asks the thread to reopen the destination before its next write.
    package func requestReopen() {
        condition.lock()
        reopenRequested = true
        condition.signal()
        condition.unlock()
    }

    /// Writes what is queued, then closes the destination. Lines still unwritten when
    /// `deadline` passes (the destination is stuck) are dropped and counted. Waits for
    /// the thread; call it off the event loops. Later calls return at once.
    package func stop(deadline: NIODeadline) {
        guard requestStop(deadline: deadline) else { return }
        finished.wait()
    }

    /// Tells the thread to write what is queued and end, without waiting for it (an
    /// ``AccessLog`` released without ``AccessLog/shutdown(timeout:)``).
    package func stopWithoutWaiting(deadline: NIODeadline) {
        requestStop(deadline: deadline)
    }

    /// `false` when a stop was already requested.
    @discardableResult
    private func requestStop(deadline: NIODeadline) -> Bool {
        if stopRequested.exchange(true, ordering: .relaxed) { return false }
        condition.lock()
        stopDeadline = deadline
        condition.signal()
        condition.unlock()
        return true
    }

    // MARK: The thread

    private func run() {
        while true {
            condition.lock()
            if queue.isEmpty && !reopenRequested && stopDeadline == nil {
                // Wakes at least once a second, to warn about drops even when idle.
                _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
            }
            var chunk = queue.popFirst()
            let reopen = reopenRequested
            reopenRequested = false
            let stopping = stopDeadline != nil
            condition.unlock()

            if reopen { reopenFile() }
            if chunk != nil {
                write(&chunk!)
            } else if stopping {
                break
            }
            warnAboutDrops(force: false)
        }
        file.close()
        warnAboutDrops(force: true)
        finished.signal()
    }

    /// Writes the chunk, counts its lines, and keeps its emptied buffer as a spare.
    private func write(_ chunk: inout Chunk) {
        let outcome: AccessLogFile.Outcome
        if shutdownDeadlinePassed() {
            outcome = .abandoned(written: 0)
        } else {
            outcome = chunk.bytes.withUnsafeReadableBytes { bytes in
                file.write(bytes) { [self] in
                    warnAboutDrops(force: false)
                    return !shutdownDeadlinePassed()
                }
            }
        }
        // Lines wholly written count as written; the rest (a torn last line too) as dropped.
        let writtenLines: Int
        switch outcome {
        case .written:
            writtenLines = chunk.lines
        case .failed(_, let written), .abandoned(let written):
            writtenLines = chunk.bytes.withUnsafeReadableBytes { bytes in
                bytes.prefix(written).reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            }
        }
        let droppedLines = chunk.lines - writtenLines
        // The only reference now (the loop took a new buffer): emptying it copies nothing.
        var emptied = chunk.bytes
        chunk.bytes = ByteBuffer()
        let size = emptied.readableBytes
        emptied.clear()
        condition.lock()
        queuedBytes -= size
        if spareBuffers.count < maximumSpareBuffers { spareBuffers.append(emptied) }
        droppedSinceWarning += droppedLines
        if case .failed(let code, _) = outcome { lastWriteError = code }
        condition.unlock()
        if writtenLines > 0 {
            linesWritten.wrappingIncrement(by: writtenLines, ordering: .relaxed)
            writtenCounter?.increment(by: Int64(writtenLines))
        }
        if droppedLines > 0 { countDropped(droppedLines) }
    }

    private func shutdownDeadlinePassed() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopDeadline.map { NIODeadline.now() >= $0 } ?? false
    }

    /// Whether ``stop(deadline:)`` was called: lines offered from now on are dropped.
    package var isStopped: Bool { stopRequested.load(ordering: .relaxed) }

    package func countDropped(_ lines: Int) {
        linesDropped.wrappingIncrement(by: lines, ordering: .relaxed)
        droppedCounter?.increment(by: Int64(lines))
    }

    private func reopenFile() {
        do {
            try file.reopen()
        } catch {
            logger.error("access log: reopen failed, still writing to the file already open", metadata: [
                "error": "\(error)"
            ])
        }
    }

    /// At most one warning per `warningInterval` (unless `force`), with the count since the last.
    private func warnAboutDrops(force: Bool) {
        let now = NIODeadline.now()
        if !force, let lastWarning, now - lastWarning < warningInterval { return }
        condition.lock()
        let dropped = droppedSinceWarning
        let error = lastWriteError
        droppedSinceWarning = 0
        lastWriteError = nil
        condition.unlock()
        guard dropped > 0 else { return }
        lastWarning = now
        var metadata: Logger.Metadata = ["dropped_lines": "\(dropped)", "destination": "\(describe(file.destination))"]
        if let error { metadata["error"] = "\(AccessLogFile.describe(error))" }
        logger.warning(
            "access log: lines dropped since the last warning (the destination is too slow or failing; serving goes on)",
            metadata: metadata)
    }

    private func describe(_ destination: AccessLogSettings.Destination) -> String {
        switch destination {
        case .stdout: "stdout"
        case .file(let path): path
        }
    }
}
