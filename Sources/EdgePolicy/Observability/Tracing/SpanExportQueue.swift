import NIOCore

/// The spans handed over by the event loops and not yet sent: whole batches in arrival order, bounded
/// by a span count. What does not fit is refused (the caller counts it dropped); the serving loops
/// never wait for room. Pure state, confined to the exporter's loop. The exporter queues ``EncodedSpans``.
package struct SpanExportQueue<Batch: SpanQueueBatch> {
    package let maxSpans: Int
    package private(set) var spanCount = 0
    private var batches = CircularBuffer<Batch>()

    package init(maxSpans: Int) {
        self.maxSpans = max(0, maxSpans)
    }

    package var isEmpty: Bool { spanCount == 0 }

    /// Queues what fits of `batch` (its first spans); returns how many spans did not fit.
    package mutating func append(_ batch: Batch) -> Int {
        let room = maxSpans - spanCount
        guard room > 0, batch.count > 0 else { return batch.count }
        if batch.count <= room {
            batches.append(batch)
            spanCount += batch.count
            return 0
        }
        batches.append(batch.leading(room))
        spanCount += room
        return batch.count - room
    }

    /// The oldest batches, as many as fit in `limit` spans (at least one batch, split if it alone is larger).
    package mutating func take(upTo limit: Int) -> [Batch] {
        var taken: [Batch] = []
        var count = 0
        while let first = batches.first {
            if count + first.count <= limit {
                taken.append(batches.removeFirst())
                count += first.count
            } else if taken.isEmpty {
                let part = max(1, limit)
                taken.append(first.leading(part))
                batches[batches.startIndex] = first.droppingLeading(part)
                count = part
                break
            } else {
                break
            }
        }
        spanCount -= count
        return taken
    }

    /// Empties the queue; returns how many spans it held.
    package mutating func removeAll() -> Int {
        let count = spanCount
        batches.removeAll()
        spanCount = 0
        return count
    }
}
