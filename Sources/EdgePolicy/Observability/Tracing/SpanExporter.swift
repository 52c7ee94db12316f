import Logging
import NIOCore
import NIOPosix
import EdgeConfig

/// Sends finished spans to an OTLP/HTTP collector (`<otlp_endpoint>/v1/traces`, protobuf) without
/// making a request wait.
///
/// On a serving loop, ``export(_:on:)`` encodes the span into that loop's buffer at once (the tracer
/// writes its spans there field by field, ``withSpanWriter(on:_:)``): no lock, no allocation beyond the
/// buffer's growth, nothing for the exporter to encode but the request's envelope. A loop hands its buffer over once per batch (``TracingExportSettings/maxBatchSpans``
/// spans or ``TracingExportSettings/flushInterval``, whichever comes first): one hop to the exporter's
/// loop per batch. There the batches queue (bounded by ``TracingExportSettings/maxQueueSpans``: what does
/// not fit is dropped and counted), are wrapped into one request by ``OTLPTraceEncoder`` and POSTed one request at a time
/// by ``OTLPHTTPClient``. A slow or absent collector costs dropped spans, never serving time.
public final class SpanExporter: Sendable {
    public let settings: TracingExportSettings
    public let counters: SpanExportCounters
    private let buffers: [(loop: ObjectIdentifier, buffer: LoopSpanBuffer)]
    private let pipeline: SpanExportPipeline

    /// The exporters' own thread (one event loop, started on first use, for the life of the process):
    /// encoding and the collector's connection stay off the serving loops, and an exporter replaced on
    /// reload leaves no thread behind.
    public static let exportGroup: MultiThreadedEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// - Parameters:
    ///   - eventLoops: the serving loops that will call ``export(_:on:)``; each gets its own buffer.
    ///   - group: where the exporter's own work runs (queue, encoding, HTTP client), on one loop of it.
    ///     The default, ``exportGroup``, keeps that work off the serving loops; passing the serving group
    ///     works too, but then a serving loop also encodes (about half a microsecond per span, a batch at a time).
    public init(
        settings: TracingExportSettings, eventLoops: [any EventLoop], group: any EventLoopGroup = SpanExporter.exportGroup,
        logger: Logger = Logger(label: "edge.tracing")
    ) {
        let exportLoop = group.next()
        self.settings = settings
        self.counters = SpanExportCounters()
        self.buffers = eventLoops.map {
            (ObjectIdentifier($0), LoopSpanBuffer(eventLoop: $0, capacity: settings.maxBatchSpans))
        }
        self.pipeline = SpanExportPipeline(eventLoop: exportLoop, settings: settings, counters: counters, logger: logger)
    }

    public var spansExported: Int { counters.spansExported.load(ordering: .relaxed) }
    public var spansDropped: Int { counters.spansDropped.load(ordering: .relaxed) }
    public var exportFailures: Int { counters.exportFailures.load(ordering: .relaxed) }

    /// Queues a finished span. Call it on `eventLoop`, one of the loops given at init (from another loop
    /// it still works, at the cost of one hop per span).
    public func export(_ span: SpanRecord, on eventLoop: any EventLoop) {
        withSpanWriter(on: eventLoop) { writer in writer.span(span) }
    }

    /// Queues a finished span that `body` writes field by field (``OTLPTraceEncoder/Writer/spanHeader(traceID:spanID:parentSpanID:traceState:name:kind:start:end:)``,
    /// then attributes, events, status) straight into the loop's buffer: the tracer's way, which
    /// builds no ``SpanRecord``. Call it on `eventLoop`, one of the loops given at init (from another
    /// loop it still works, at the cost of one hop per span).
    @inline(__always)
    package func withSpanWriter(on eventLoop: any EventLoop, _ body: (inout OTLPTraceEncoder.Writer) -> Void) {
        guard let buffer = buffer(for: eventLoop) else {
            let single = LoopSpanBuffer(eventLoop: eventLoop, capacity: 1)
            single.append(body)
            let batch = single.takeAll()
            let pipeline = self.pipeline
            pipeline.eventLoop.execute { pipeline.enqueue(batch) }
            return
        }
        buffer.eventLoop.assertInEventLoop()
        buffer.append(body)
        if buffer.count >= settings.maxBatchSpans {
            handOver(buffer)
        } else if !buffer.flushScheduled {
            buffer.flushScheduled = true
            buffer.eventLoop.scheduleTask(in: settings.flushInterval) { [self] in
                buffer.flushScheduled = false
                handOver(buffer)
            }
        }
    }

    @inline(__always)
    private func buffer(for eventLoop: any EventLoop) -> LoopSpanBuffer? {
        let id = ObjectIdentifier(eventLoop)
        for entry in buffers where entry.loop == id { return entry.buffer }
        return nil
    }

    private func handOver(_ buffer: LoopSpanBuffer) {
        guard buffer.count > 0 else { return }
        let batch = buffer.takeAll()
        let pipeline = self.pipeline
        pipeline.eventLoop.execute { pipeline.enqueue(batch) }
    }

    /// Hands over every loop's buffer, sends what is queued (waiting at most
    /// ``TracingExportSettings/shutdownTimeout``), closes the connection; later spans are dropped and counted.
    /// Loops already stopped lose their buffered spans (not counted: they are gone with the loop).
    public func shutdown() -> EventLoopFuture<Void> {
        let pipeline = self.pipeline
        let deadline = NIODeadline.now() + settings.shutdownTimeout
        let collected = buffers.map { entry in
            entry.buffer.eventLoop.submit { entry.buffer.takeAll() }
                .flatMapErrorThrowing { _ in EncodedSpans(bytes: ByteBuffer(), ends: []) }  // that loop is already shut down
                .hop(to: pipeline.eventLoop)
        }
        return EventLoopFuture.whenAllComplete(collected, on: pipeline.eventLoop).flatMap { results in
            for case .success(let batch) in results where batch.count > 0 { pipeline.enqueue(batch) }
            return pipeline.drain(deadline: deadline)
        }
    }

    /// ``shutdown()``, awaited.
    public func shutdown() async {
        try? await shutdown().get()
    }

    /// ``shutdown()``, waited for (not on an event loop).
    public func syncShutdown() throws {
        try shutdown().wait()
    }
}
