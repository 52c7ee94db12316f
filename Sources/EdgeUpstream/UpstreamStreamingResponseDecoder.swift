import NIOCore
import NIOHPACK
import EdgeCore

/// The response side of one streaming gRPC call as a state machine, free of I/O.
///
/// Feed it the stream's HEADERS and DATA frames in order. DATA is only buffered by
/// ``receiveData(_:)``; the caller then pulls complete messages with ``nextMessage()``
/// one at a time, so it can stop as soon as the call is abandoned, and calls
/// ``receiveEndOfStream()`` when the DATA frame carried END_STREAM. Messages are
/// reassembled across DATA frames; several may arrive in one frame.
///
/// Unlike ``GRPCResponseDecoder`` (one message, unary) any number of messages is
/// fine and each is limited to `maxMessageBytes` on its own.
package struct UpstreamStreamingResponseDecoder {
    package enum Action {
        /// Keep reading.
        case none
        /// Response headers (metadata only): deliver them.
        case receivedHeaders([(name: String, value: String)])
        /// The call is over; the stream ended normally. `trailers` is metadata only.
        case finished(GRPCStatus, trailers: [(name: String, value: String)])
        /// The call failed locally; the stream must be reset (RST_STREAM CANCEL).
        case failAndReset(GRPCStatus)
    }

    package enum MessageAction: Equatable {
        /// No complete message is buffered.
        case none
        /// One message, without its frame header.
        case message(ByteBuffer)
        case failAndReset(GRPCStatus)
    }

    private var phase = GRPCResponsePhase()
    private let maxMessageBytes: Int
    /// Received bytes not yet handed out as messages.
    private var pending = ByteBuffer()

    package init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    package var isDone: Bool { self.phase.isDone }

    package mutating func receiveHeaders(_ headers: HPACKHeaders, endStream: Bool) -> Action {
        switch self.phase.receiveHeaders(headers, endStream: endStream, pendingBytes: self.pending.readableBytes) {
        case .messagesFollow:
            return .receivedHeaders(GRPCResponseDecoder.metadata(headers))
        case .ended(let status), .endedInsideMessage(let status):
            return .finished(status, trailers: GRPCResponseDecoder.metadata(headers))
        case .violation(let status):
            return .failAndReset(status)
        case .ignored:
            return .none
        }
    }

    /// Buffers a DATA frame's payload; pull the messages with ``nextMessage()``.
    package mutating func receiveData(_ data: ByteBuffer) -> Action {
        guard self.phase.isReceivingMessages else {
            if self.phase.isDone { return .none }
            return self.fail(GRPCResponseHead.dataBeforeHeaders)
        }
        if self.pending.readableBytes == 0 {
            // The common case: no partial message, so no copy.
            self.pending = data
        } else {
            var data = data
            self.pending.writeBuffer(&data)
        }
        return .none
    }

    /// The next complete message buffered, if any.
    package mutating func nextMessage() -> MessageAction {
        guard self.phase.isReceivingMessages, self.pending.readableBytes >= 5 else { return .none }
        let start = self.pending.readerIndex
        let flag = self.pending.getInteger(at: start, as: UInt8.self)!
        let length = Int(self.pending.getInteger(at: start + 1, as: UInt32.self)!)
        if let problem = GRPCResponseHead.frameProblem(flag: flag, length: length, limit: self.maxMessageBytes) {
            self.phase.end()
            return .failAndReset(problem)
        }
        guard self.pending.readableBytes >= 5 + length else {
            self.reserveForPartialMessage(length: length)
            return .none
        }
        self.pending.moveReaderIndex(forwardBy: 5)
        return .message(self.pending.readSlice(length: length)!)
    }

    /// A DATA frame ended the stream (call after pulling its messages): no trailers,
    /// hence no grpc-status.
    package mutating func receiveEndOfStream() -> Action {
        guard self.phase.isReceivingMessages else { return .none }
        self.phase.end()
        return .finished(GRPCResponseHead.endedWithoutTrailers(leftOver: self.pending.readableBytes), trailers: [])
    }

    /// A large message arrives in many frames: give the buffer its whole size once
    /// instead of growing it frame by frame.
    private mutating func reserveForPartialMessage(length: Int) {
        let needed = 5 + length
        guard self.pending.capacity - self.pending.readerIndex < needed else { return }
        var whole = ByteBufferAllocator().buffer(capacity: needed)
        whole.writeBuffer(&self.pending)
        self.pending = whole
    }

    private mutating func fail(_ status: GRPCStatus) -> Action {
        self.phase.end()
        return .failAndReset(status)
    }
}
