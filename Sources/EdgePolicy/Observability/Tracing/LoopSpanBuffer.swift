import NIOCore

/// One event loop's finished spans, waiting to be handed to the exporter as one batch. Touched only on
/// its loop, so appending takes no lock.
package final class LoopSpanBuffer: @unchecked Sendable {  // confined to `eventLoop`
    package let eventLoop: any EventLoop
    package var spans: [SpanRecord] = []
    package var flushScheduled = false
    private let capacity: Int

    package init(eventLoop: any EventLoop, capacity: Int) {
        self.eventLoop = eventLoop
        self.capacity = capacity
        spans.reserveCapacity(capacity)
    }

    /// The spans so far; the buffer starts again empty.
    package func takeAll() -> [SpanRecord] {
        var taken: [SpanRecord] = []
        taken.reserveCapacity(capacity)
        swap(&taken, &spans)
        return taken
    }
}
