import NIOConcurrencyHelpers
import NIOCore

/// One ``ResponseFlushBatch`` per event loop of a listener, handed to each new
/// connection's request handler (a look-up per connection, none per request).
package final class ResponseFlushBatches: Sendable {
    private let batches = NIOLockedValueBox([ObjectIdentifier: NIOLoopBound<ResponseFlushBatch>]())

    /// The batch of `eventLoop`; call on that loop.
    package func batch(for eventLoop: any EventLoop) -> ResponseFlushBatch {
        batches.withLockedValue { batches in
            if let bound = batches[ObjectIdentifier(eventLoop)] { return bound.value }
            let batch = ResponseFlushBatch(eventLoop: eventLoop)
            batches[ObjectIdentifier(eventLoop)] = NIOLoopBound(batch, eventLoop: eventLoop)
            return batch
        }
    }
}
