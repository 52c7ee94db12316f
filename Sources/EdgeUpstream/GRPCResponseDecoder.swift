import NIOCore
import NIOHPACK
import EdgeCore

/// The response side of one unary gRPC call as a state machine, free of I/O.
///
/// Feed it the stream's HEADERS and DATA frames in order; each event returns an
/// ``Action``. Messages are reassembled across DATA frame boundaries; a unary
/// call must carry exactly one message when the status is OK.
package struct GRPCResponseDecoder {
    package enum Action: Equatable {
        /// Keep reading.
        case none
        /// The call is over; the stream closed normally.
        case finished(UpstreamResponseBox)
        /// The call failed locally; the stream must be reset (RST_STREAM CANCEL) if still open.
        case failAndReset(GRPCStatus)
    }

    private var phase = GRPCResponsePhase()
    /// The response headers' metadata, once they came.
    private var httpHeaders: [(name: String, value: String)] = []
    private let maxResponseBytes: Int
    /// Bytes received but not yet forming a whole message.
    private var pending: ByteBuffer?
    private var message: ByteBuffer?
    private var messageCount = 0

    package init(maxResponseBytes: Int) {
        self.maxResponseBytes = maxResponseBytes
    }

    package var isDone: Bool { self.phase.isDone }

    package mutating func receiveHeaders(_ headers: HPACKHeaders, endStream: Bool) -> Action {
        switch self.phase.receiveHeaders(headers, endStream: endStream, pendingBytes: self.pending?.readableBytes ?? 0) {
        case .messagesFollow:
            self.httpHeaders = Self.metadata(headers)
            return .none
        case .ended(let status):
            return .finished(UpstreamResponseBox(self.finish(status, trailers: headers, headers: self.httpHeaders)))
        case .endedInsideMessage(let status):
            return .finished(UpstreamResponseBox(UpstreamResponse(status: status, headers: self.httpHeaders)))
        case .violation(let status):
            return .failAndReset(status)
        case .ignored:
            return .none
        }
    }

    package mutating func receiveData(_ data: ByteBuffer, endStream: Bool) -> Action {
        guard self.phase.isReceivingMessages else {
            if self.phase.isDone { return .none }
            return self.fail(GRPCResponseHead.dataBeforeHeaders)
        }
        if self.pending != nil {
            // A message split across DATA frames: append in place, so only the first
            // append copies (the frame's bytes belong to the connection's read buffer).
            var data = data
            self.pending!.writeBuffer(&data)
        } else {
            self.pending = data
        }
        if case .failAndReset(let status) = self.drainMessages() {
            return self.fail(status)
        }
        if endStream {
            // DATA with END_STREAM: no trailers, hence no grpc-status.
            self.phase.end()
            return .finished(UpstreamResponseBox(UpstreamResponse(
                status: GRPCResponseHead.endedWithoutTrailers(leftOver: 0), headers: self.httpHeaders)))
        }
        return .none
    }

    /// Consumes every complete message in `pending`.
    private mutating func drainMessages() -> Action {
        guard var buffer = self.pending else { return .none }
        self.pending = nil  // `buffer` is the only reference while it is drained
        defer {
            // Keep only an incomplete message. Nothing is kept when every byte was
            // consumed: `clear()` on a buffer that the message still shares would
            // allocate a new buffer as large as the read buffer, on every response.
            if buffer.readableBytes > 0 { self.pending = buffer }
        }
        while buffer.readableBytes >= 5 {
            let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)!
            let length = Int(buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)!)
            if let problem = GRPCResponseHead.frameProblem(flag: flag, length: length, limit: self.maxResponseBytes) {
                return .failAndReset(problem)
            }
            guard buffer.readableBytes >= 5 + length else { break }
            buffer.moveReaderIndex(forwardBy: 5)
            let slice = buffer.readSlice(length: length)!
            self.messageCount += 1
            if self.messageCount > 1 {
                return .failAndReset(GRPCStatus(code: .internal, message: "upstream sent more than one response message for a unary call"))
            }
            self.message = slice
        }
        return .none
    }

    private mutating func fail(_ status: GRPCStatus) -> Action {
        self.phase.end()
        return .failAndReset(status)
    }

    /// The response a call with this status ends with: OK needs the one message.
    private func finish(_ status: GRPCStatus, trailers: HPACKHeaders, headers: [(name: String, value: String)]) -> UpstreamResponse {
        var response = UpstreamResponse(status: status, headers: headers, trailers: Self.metadata(trailers))
        if status.code == .ok {
            if self.messageCount == 0 {
                response.status = GRPCStatus(code: .internal, message: "upstream returned OK without a response message for a unary call")
            } else {
                response.message = self.message
            }
        }
        return response
    }

    /// The response's headers (or trailers) that go on as metadata (``HopByHop/isReservedInResponse(_:)``).
    package static func metadata(_ headers: HPACKHeaders) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for (name, value, _) in headers where !HopByHop.isReservedInResponse(name) {
            result.append((name, value))
        }
        return result
    }
}

/// `UpstreamResponse` holds tuples, so it is not `Equatable`; this box gives the decoder's
/// actions identity-free equality on what tests compare (status and message bytes).
package struct UpstreamResponseBox: Equatable {
    package var response: UpstreamResponse
    package init(_ response: UpstreamResponse) { self.response = response }
    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.response.status == rhs.response.status && lhs.response.message == rhs.response.message
    }
}
