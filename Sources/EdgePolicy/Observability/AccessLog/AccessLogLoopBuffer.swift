import NIOCore

/// One event loop's share of the access log: the lines formatted on that loop and not
/// yet handed to the writer, and the loop's sampler. Touched only on `eventLoop`, so
/// loops never contend; it is handed over whole (one lock operation per chunk).
package final class AccessLogLoopBuffer: @unchecked Sendable {
    package let eventLoop: any EventLoop
    package var pending: ByteBuffer
    package var lines = 0
    package var sampler: AccessLogSampler
    /// Whether a flush is scheduled on `eventLoop` (one at a time, only while lines wait).
    package var flushScheduled = false

    package init(eventLoop: any EventLoop, capacity: Int, sampler: AccessLogSampler) {
        self.eventLoop = eventLoop
        self.pending = ByteBufferAllocator().buffer(capacity: capacity)
        self.sampler = sampler
    }
}
