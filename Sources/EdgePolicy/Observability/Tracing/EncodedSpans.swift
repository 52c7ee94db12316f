import NIOCore

/// Spans a serving loop has already encoded: each one an OTLP `ScopeSpans.spans` field (tag, length,
/// `Span` message), back to back, as ``OTLPTraceEncoder`` copies them into a request.
package struct EncodedSpans: Sendable {
    package var bytes: ByteBuffer
    /// Where each span's field ends, relative to the first readable byte (it starts where the one
    /// before it ends).
    package var ends: [Int]

    package var count: Int { ends.count }

    package init(bytes: ByteBuffer, ends: [Int]) {
        self.bytes = bytes
        self.ends = ends
    }
}

/// What ``SpanExportQueue`` holds: batches of spans it can count and split.
package protocol SpanQueueBatch: Sendable {
    var count: Int { get }
    /// The first `count` spans.
    func leading(_ count: Int) -> Self
    /// All but the first `count` spans.
    func droppingLeading(_ count: Int) -> Self
}

extension EncodedSpans: SpanQueueBatch {
    package func leading(_ count: Int) -> EncodedSpans {
        guard count < ends.count else { return self }
        guard count > 0 else { return EncodedSpans(bytes: bytes.getSlice(at: bytes.readerIndex, length: 0)!, ends: []) }
        return EncodedSpans(bytes: bytes.getSlice(at: bytes.readerIndex, length: ends[count - 1])!, ends: Array(ends.prefix(count)))
    }

    package func droppingLeading(_ count: Int) -> EncodedSpans {
        guard count > 0 else { return self }
        guard count < ends.count else { return leading(0) }
        let start = ends[count - 1]
        return EncodedSpans(
            bytes: bytes.getSlice(at: bytes.readerIndex + start, length: bytes.readableBytes - start)!,
            ends: ends.dropFirst(count).map { $0 - start })
    }
}

extension Array: SpanQueueBatch where Element == SpanRecord {
    package func leading(_ count: Int) -> [SpanRecord] { Array(prefix(count)) }
    package func droppingLeading(_ count: Int) -> [SpanRecord] { Array(dropFirst(count)) }
}
