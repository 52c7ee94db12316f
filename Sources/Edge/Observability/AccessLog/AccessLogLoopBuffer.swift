import NIOCore

/// One event loop's share of the access log: the lines formatted on that loop and not
/// yet handed to the writer, and the loop's sampler. Touched only on `eventLoop`, so
/// loops never contend; it is handed over whole (one lock operation per chunk).
final class AccessLogLoopBuffer: @unchecked Sendable {
    let eventLoop: any EventLoop
    var pending: ByteBuffer
    var lines = 0
    var sampler: AccessLogSampler
    /// Whether a flush is scheduled on `eventLoop` (one at a time, only while lines wait).
    var flushScheduled = false

    init(eventLoop: any EventLoop, capacity: Int, sampler: AccessLogSampler) {
        self.eventLoop = eventLoop
        self.pending = ByteBufferAllocator().buffer(capacity: capacity)
        self.sampler = sampler
    }
}
