import NIOCore
import NIOHPACK
import NIOHTTP2

/// One attempt of a unary call, run on the frames of its connection by
/// ``UpstreamUnaryConnectionHandler`` (no stream channel of its own): the request to send,
/// the response decoder and the completion, reported exactly once.
///
/// Confined to the connection's event loop.
package final class UpstreamUnaryStream {
    package let requestHeaders: HPACKHeaders
    package let requestBody: ByteBuffer
    package var decoder: GRPCResponseDecoder
    /// Nil once the outcome was reported or the attempt was cancelled.
    private var onComplete: ((UpstreamAttemptResult) -> Void)?
    /// Set when the stream is opened (HEADERS written).
    package var streamID: HTTP2StreamID?
    /// The handler running the attempt, from `start` until its slot is given back.
    package var handler: UpstreamUnaryConnectionHandler?
    /// Whether NIO accepted the HEADERS (the server may have seen the request).
    package var headersWritten = false
    /// Whether the server ended its side of the stream (END_STREAM seen).
    package var remoteClosed = false
    /// Whether this attempt's slot on the connection was given back.
    package var released = false

    package init(
        requestHeaders: HPACKHeaders, requestBody: ByteBuffer, maxResponseBytes: Int,
        onComplete: @escaping (UpstreamAttemptResult) -> Void
    ) {
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.decoder = GRPCResponseDecoder(maxResponseBytes: maxResponseBytes)
        self.onComplete = onComplete
    }

    /// Whether the outcome is still to be reported.
    package var isPending: Bool { self.onComplete != nil }

    package func complete(_ result: UpstreamAttemptResult) {
        guard let onComplete = self.onComplete else { return }
        self.onComplete = nil
        onComplete(result)
    }

    /// Abandons the attempt (deadline): the stream is reset with CANCEL if it is open, or
    /// leaves the queue if it is not. The completion is not called.
    package func cancel() {
        self.onComplete = nil
        self.handler?.cancel(self)
    }
}
