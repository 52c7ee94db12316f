import NIOHPACK
import EdgeCore

/// Where a gRPC response stands — headers awaited, messages flowing, over — and what a
/// HEADERS frame means there: the half of the response state machine that the unary
/// (``GRPCResponseDecoder``) and the streaming (``UpstreamStreamingResponseDecoder``)
/// decoders share; each adds its own handling of the messages. The head itself is judged
/// by ``GRPCResponseHead``.
package struct GRPCResponsePhase {
    /// What a HEADERS frame means.
    package enum Headers {
        /// Response headers: messages follow.
        case messagesFollow
        /// The call ended with this status: trailers-only, or the trailers after the messages.
        case ended(GRPCStatus)
        /// Trailers arrived while a message was half received.
        case endedInsideMessage(GRPCStatus)
        /// A protocol violation: the stream must be reset.
        case violation(GRPCStatus)
        /// The call was already over.
        case ignored
    }

    private enum State {
        case awaitingHeaders
        case receivingMessages
        case done
    }

    private var state: State = .awaitingHeaders

    package init() {}

    package var isDone: Bool {
        if case .done = self.state { return true }
        return false
    }

    package var isReceivingMessages: Bool {
        if case .receivingMessages = self.state { return true }
        return false
    }

    /// The call is over (failed, or ended by a DATA frame with END_STREAM).
    package mutating func end() {
        self.state = .done
    }

    /// - Parameter pendingBytes: bytes of a message not yet complete (trailers then end the call inside it).
    package mutating func receiveHeaders(_ headers: HPACKHeaders, endStream: Bool, pendingBytes: Int) -> Headers {
        switch self.state {
        case .awaitingHeaders:
            switch GRPCResponseHead.judge(headers, endStream: endStream) {
            case .failAndReset(let status):
                self.state = .done
                return .violation(status)
            case .finished(let status):
                self.state = .done
                return .ended(status)
            case .messagesFollow:
                self.state = .receivingMessages
                return .messagesFollow
            }

        case .receivingMessages:
            self.state = .done
            guard endStream else { return .violation(GRPCResponseHead.secondHeadersWithoutEndStream) }
            if pendingBytes > 0 { return .endedInsideMessage(GRPCResponseHead.endedInsideMessage(leftOver: pendingBytes)) }
            return .ended(GRPCResponseHead.status(fromTrailers: headers))

        case .done:
            return .ignored
        }
    }
}
