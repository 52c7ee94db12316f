import NIOCore

/// One event loop's finished spans, encoded as they finish (``OTLPTraceEncoder/Writer``, one
/// `ScopeSpans.spans` field each) and handed to the exporter as one batch. Touched only on its loop,
/// so writing takes no lock; the byte area is kept from batch to batch.
package final class LoopSpanBuffer: @unchecked Sendable {  // confined to `eventLoop`
    package let eventLoop: any EventLoop
    package var writer: OTLPTraceEncoder.Writer
    /// Where each span written so far ends in `writer`.
    package var ends: [Int] = []
    package var flushScheduled = false
    private let capacity: Int

    package init(eventLoop: any EventLoop, capacity: Int) {
        self.eventLoop = eventLoop
        self.capacity = capacity
        // Room for a typical span of the edge (300–500 bytes) times the batch, up to 256 KiB; it grows when needed.
        self.writer = OTLPTraceEncoder.Writer(capacity: min(max(capacity, 1) * 512, 256 << 10))
        ends.reserveCapacity(capacity)
    }

    deinit {
        writer.deallocate()
    }

    package var count: Int { ends.count }

    /// Writes one span (`body` writes its fields) as the buffer's next `ScopeSpans.spans` field.
    @inline(__always)
    package func append(_ body: (inout OTLPTraceEncoder.Writer) -> Void) {
        writer.message(2, reserving: 2, body)
        ends.append(writer.count)
    }

    /// The spans so far, copied out; the buffer starts again empty.
    package func takeAll() -> EncodedSpans {
        var bytes = ByteBufferAllocator().buffer(capacity: writer.count)
        bytes.writeBytes(UnsafeRawBufferPointer(start: writer.base, count: writer.count))
        writer.count = 0
        var taken: [Int] = []
        taken.reserveCapacity(capacity)
        swap(&taken, &ends)
        return EncodedSpans(bytes: bytes, ends: taken)
    }
}
