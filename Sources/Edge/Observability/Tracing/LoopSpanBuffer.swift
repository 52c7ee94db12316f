import NIOCore

/// One event loop's finished spans, waiting to be handed to the exporter as one batch. Touched only on
/// its loop, so appending takes no lock.
final class LoopSpanBuffer: @unchecked Sendable {  // confined to `eventLoop`
    let eventLoop: any EventLoop
    var spans: [SpanRecord] = []
    var flushScheduled = false
    private let capacity: Int

    init(eventLoop: any EventLoop, capacity: Int) {
        self.eventLoop = eventLoop
        self.capacity = capacity
        spans.reserveCapacity(capacity)
    }

    /// The spans so far; the buffer starts again empty.
    func takeAll() -> [SpanRecord] {
        var taken: [SpanRecord] = []
        taken.reserveCapacity(capacity)
        swap(&taken, &spans)
        return taken
    }
}
