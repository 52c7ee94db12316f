import Logging
import NIOConcurrencyHelpers
import NIOCore
import Prometheus

/// The access log: one line per exchange, formatted on the exchange's event loop and
/// written by one background thread, so serving never waits for the destination.
///
/// Each event loop formats into its own buffer (no locks between loops, no `Task`, no
/// allocation per line beyond the line's bytes) and hands the buffer to the writer when it
/// passes ``chunkBytes`` or after ``AccessLogSettings/flushInterval``. The writer's queue is
/// bounded by ``AccessLogSettings/bufferBytes``: past it, chunks are dropped, counted in
/// ``linesDropped`` (and `edge_access_log_lines_dropped_total`) and reported by a warning
/// at most every 10 s.
public final class AccessLog: Sendable {
    public let settings: AccessLogSettings
    /// The size at which a loop hands its buffer to the writer.
    public let chunkBytes: Int
    /// A loop buffer's capacity: a chunk plus room for the bound ``AccessLogFormatter``
    /// reserves for the line that passes it, so that line does not make the buffer grow
    /// (a reallocation and a copy of the whole chunk).
    private var bufferCapacity: Int { chunkBytes + 16 << 10 }

    private let formatter: AccessLogFormatter
    private let writer: AccessLogWriter
    private let loops: [AccessLogLoopBuffer]
    /// For calls from threads that are not one of the loops given at init: the slow path.
    private let otherThreadsSampler: NIOLockedValueBox<AccessLogSampler>

    /// Opens the destination and starts the writer thread.
    /// - Throws: ``AccessLogError`` naming the setting or path and what is wrong with it.
    public init(
        settings: AccessLogSettings, eventLoops: [any EventLoop], logger: Logger = Logger(label: "edge.access-log"),
        metrics: PrometheusCollectorRegistry? = nil
    ) throws {
        if let problem = settings.problem { throw AccessLogError(problem) }
        let file = try AccessLogFile(settings.destination)
        self.settings = settings
        let chunkBytes = min(64 << 10, max(4 << 10, settings.bufferBytes / (2 * max(1, eventLoops.count))))
        self.chunkBytes = chunkBytes
        self.formatter = AccessLogFormatter(format: settings.format, fields: settings.fields)
        self.writer = AccessLogWriter(
            file: file, limit: settings.bufferBytes, logger: logger, metrics: metrics, spareBuffers: eventLoops.count + 2)
        let sampler = AccessLogSampler(sampling: settings.sampling, errorsOnly: settings.errorsOnly)
        self.loops = eventLoops.map { AccessLogLoopBuffer(eventLoop: $0, capacity: chunkBytes + 16 << 10, sampler: sampler) }
        self.otherThreadsSampler = NIOLockedValueBox(sampler)
    }

    /// Lines the writer has written.
    public var linesWritten: Int { writer.linesWritten.load(ordering: .relaxed) }
    /// Lines lost: the destination could not keep up, failed, or the log was shut down.
    public var linesDropped: Int { writer.linesDropped.load(ordering: .relaxed) }

    /// Logs one exchange. Call it on `eventLoop`, one of the loops given at init; from
    /// anywhere else it still works, through a slower path (a lock and a chunk per line).
    /// Never blocks, never waits.
    public func log(_ record: AccessLogRecord, on eventLoop: any EventLoop) {
        guard let loop = buffer(of: eventLoop), eventLoop.inEventLoop else {
            return logFromOtherThread(record)
        }
        guard loop.sampler.admits(isError: record.isError) else { return }
        guard !writer.isStopped else { return writer.countDropped(1) }
        formatter.append(record, to: &loop.pending)
        loop.lines += 1
        if loop.pending.readableBytes >= chunkBytes {
            handOver(loop)
        } else if !loop.flushScheduled {
            loop.flushScheduled = true
            eventLoop.scheduleTask(in: settings.flushInterval) { [self] in
                loop.flushScheduled = false
                handOver(loop)
            }
        }
    }

    /// Asks the writer to close and reopen the file before its next write (log rotation:
    /// rename the file, then call this, e.g. on SIGUSR1 or a reload). Thread-safe; a
    /// failure to reopen is logged and the old file stays in use.
    public func reopen() {
        writer.requestReopen()
    }

    /// Hands every loop's lines to the writer, writes them, closes the destination and
    /// stops the thread. Lines that cannot be written within `timeout` (a stuck FIFO or
    /// pipe) are dropped and counted. Call it off the event loops, before they shut down;
    /// lines logged afterwards are counted as dropped.
    public func shutdown(timeout: TimeAmount = .seconds(5)) {
        let deadline = NIODeadline.now() + timeout
        for loop in loops {
            if loop.eventLoop.inEventLoop {
                handOver(loop)
                continue
            }
            do {
                try loop.eventLoop.submit { self.handOver(loop) }.wait()
            } catch {
                // The loop has stopped, so nothing else touches its buffer any more.
                handOver(loop)
            }
        }
        writer.stop(deadline: deadline)
    }

    deinit {
        // Released without shutdown(): the thread still ends (lines in loop buffers are lost).
        writer.stopWithoutWaiting(deadline: .now() + .seconds(5))
    }

    // MARK: Private

    private func buffer(of eventLoop: any EventLoop) -> AccessLogLoopBuffer? {
        for loop in loops where loop.eventLoop === eventLoop { return loop }
        return nil
    }

    /// Gives the loop's pending lines to the writer and starts a fresh buffer. A chunk the
    /// writer refuses is dropped; its memory is kept for the next lines.
    private func handOver(_ loop: AccessLogLoopBuffer) {
        guard loop.lines > 0 else { return }
        let handover = writer.enqueue(.init(bytes: loop.pending, lines: loop.lines))
        loop.lines = 0
        switch handover {
        case .accepted(let spare):
            loop.pending = spare ?? ByteBufferAllocator().buffer(capacity: bufferCapacity)
        case .refused:
            loop.pending.clear()
        }
    }

    private func logFromOtherThread(_ record: AccessLogRecord) {
        let admitted = otherThreadsSampler.withLockedValue { $0.admits(isError: record.isError) }
        guard admitted else { return }
        guard !writer.isStopped else { return writer.countDropped(1) }
        var line = ByteBufferAllocator().buffer(capacity: AccessLogFormatter.maximumBytes(record))
        formatter.append(record, to: &line)
        writer.enqueue(.init(bytes: line, lines: 1), takingSpare: false)
    }
}
