import Logging
import NIOCore
import EdgeConfig

/// The exporter's side, on its own event loop: queues the batches the serving loops hand over (spans
/// already encoded), wraps them into one OTLP request at a time and POSTs it, counts what was sent, dropped and failed, and
/// warns about losses at most every 10 seconds. Confined to `eventLoop`.
package final class SpanExportPipeline: @unchecked Sendable {  // confined to `eventLoop`
    package let eventLoop: any EventLoop
    private let settings: TracingExportSettings
    private let counters: SpanExportCounters
    private let logger: Logger
    private let client: OTLPHTTPClient
    private var queue: SpanExportQueue<EncodedSpans>
    private var sending = false
    private var closed = false
    /// After a failure, no request before this.
    private var notBefore = NIODeadline.uptimeNanoseconds(0)
    private var retry: Scheduled<Void>?
    private var drained: EventLoopPromise<Void>?

    package static let warningInterval = TimeAmount.seconds(10)
    private var lastWarning: NIODeadline?
    private var droppedSinceWarning = 0
    private var failuresSinceWarning = 0
    private var lastError: OTLPExportError?

    package init(eventLoop: any EventLoop, settings: TracingExportSettings, counters: SpanExportCounters, logger: Logger) {
        self.eventLoop = eventLoop
        self.settings = settings
        self.counters = counters
        self.logger = logger
        self.client = OTLPHTTPClient(eventLoop: eventLoop, settings: settings)
        self.queue = SpanExportQueue(maxSpans: settings.maxQueueSpans)
    }

    /// A batch from a serving loop (or several, at shutdown).
    package func enqueue(_ batch: EncodedSpans) {
        eventLoop.assertInEventLoop()
        guard !closed else {
            noteDropped(batch.count)
            return
        }
        let refused = queue.append(batch)
        if refused > 0 { noteDropped(refused) }
        sendIfReady()
    }

    /// Sends what is queued, then closes: the future completes when the queue is empty and no request
    /// is in flight, or at `deadline` (what is left is dropped and counted).
    package func drain(deadline: NIODeadline) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        let promise = drained ?? eventLoop.makePromise(of: Void.self)
        drained = promise
        notBefore = .uptimeNanoseconds(0)
        retry?.cancel()
        retry = nil
        eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.close() }
        sendIfReady()
        return promise.futureResult
    }

    private func close() {
        guard !closed else { return }
        closed = true
        retry?.cancel()
        let left = queue.removeAll()
        if left > 0 { noteDropped(left) }
        client.close()
        warnIfDue(force: true)
        drained?.succeed()
    }

    private func sendIfReady() {
        guard !sending, !closed else { return }
        guard !queue.isEmpty else {
            if drained != nil { close() }
            return
        }
        let now = NIODeadline.now()
        if now < notBefore {
            if retry == nil {
                retry = eventLoop.assumeIsolated().scheduleTask(deadline: notBefore) {
                    self.retry = nil
                    self.sendIfReady()
                }
            }
            return
        }
        let batches = queue.take(upTo: settings.maxBatchSpans)
        let count = batches.reduce(0) { $0 + $1.count }
        let body = OTLPTraceEncoder.encode(serviceName: settings.serviceName, encoded: batches)
        sending = true
        client.post(body).assumeIsolated().whenComplete { result in
            self.sending = false
            switch result {
            case .success:
                self.counters.spansExported.wrappingIncrement(by: count, ordering: .relaxed)
            case .failure(let error):
                self.counters.exportFailures.wrappingIncrement(ordering: .relaxed)
                self.failuresSinceWarning += 1
                self.lastError = error as? OTLPExportError ?? .connectionFailed("\(error)")
                self.noteDropped(count)
                if self.drained != nil {
                    // Shutting down and the collector failed: do not wait for it again.
                    self.close()
                    return
                }
                self.notBefore = .now() + self.settings.retryDelay
            }
            self.sendIfReady()
        }
    }

    private func noteDropped(_ count: Int) {
        counters.spansDropped.wrappingIncrement(by: count, ordering: .relaxed)
        droppedSinceWarning += count
        warnIfDue(force: false)
    }

    private func warnIfDue(force: Bool) {
        guard droppedSinceWarning > 0 || failuresSinceWarning > 0 else { return }
        let now = NIODeadline.now()
        if !force, let lastWarning, now - lastWarning < Self.warningInterval { return }
        lastWarning = now
        var metadata: Logger.Metadata = [
            "spans_dropped": "\(droppedSinceWarning)",
            "export_failures": "\(failuresSinceWarning)",
            "otlp_endpoint": "\(settings.endpoint)",
        ]
        if let lastError { metadata["last_error"] = "\(lastError)" }
        logger.warning("tracing: spans were dropped (collector slow or away, or the queue is full)", metadata: metadata)
        droppedSinceWarning = 0
        failuresSinceWarning = 0
    }
}
