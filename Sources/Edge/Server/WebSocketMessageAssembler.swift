import NIOCore
import NIOWebSocket
import EdgePolicy
import EdgeUpstream

/// Joins a client's data frames into whole messages (RFC 6455 §5.4 fragmentation),
/// under the stream's message-size limit, and checks the rules a server must
/// enforce on every client frame: masked, no reserved bits (no extension is negotiated).
///
/// Pure; control frames (ping, pong, close) are not its business and may arrive
/// between the fragments of a message.
package struct WebSocketMessageAssembler {
    package enum Failure: Equatable {
        /// An unmasked frame, a reserved bit set, a continuation with no message
        /// started, a new message before the last one finished.
        case protocolViolation(String)
        /// The message would exceed the limit.
        case tooLarge(limit: Int)
    }

    package enum Outcome: Equatable {
        /// A fragment was kept; the message is not complete yet.
        case incomplete
        /// A whole message: `.text` or `.binary`, unmasked payload.
        case message(WebSocketOpcode, ByteBuffer)
        case failed(Failure)
    }

    package let maxMessageBytes: Int
    private var opcode: WebSocketOpcode?
    private var pending: ByteBuffer?

    package init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Whether a fragmented message has been started and not finished.
    package var isAssembling: Bool { opcode != nil }

    /// Checks that hold for every frame a client sends, control frames included.
    package static func check(_ frame: WebSocketFrame) -> Failure? {
        if frame.maskKey == nil { return .protocolViolation("client frames must be masked") }
        if frame.rsv1 || frame.rsv2 || frame.rsv3 { return .protocolViolation("reserved bits set but no extension was negotiated") }
        return nil
    }

    /// Takes one data frame (`.text`, `.binary` or `.continuation`).
    package mutating func append(_ frame: WebSocketFrame) -> Outcome {
        if let failure = Self.check(frame) { return .failed(failure) }
        switch frame.opcode {
        case .text, .binary:
            guard opcode == nil else { return .failed(.protocolViolation("a new message began before the previous one finished")) }
            guard frame.length <= maxMessageBytes else { return .failed(.tooLarge(limit: maxMessageBytes)) }
            if frame.fin { return .message(frame.opcode, frame.unmaskedData) }
            opcode = frame.opcode
            pending = frame.unmaskedData
            return .incomplete
        case .continuation:
            guard let started = opcode, var buffer = pending else {
                return .failed(.protocolViolation("a continuation frame without a message to continue"))
            }
            guard buffer.readableBytes + frame.length <= maxMessageBytes else {
                opcode = nil
                pending = nil
                return .failed(.tooLarge(limit: maxMessageBytes))
            }
            pending = nil  // keep the buffer uniquely referenced while appending
            var data = frame.unmaskedData
            buffer.writeBuffer(&data)
            if frame.fin {
                opcode = nil
                return .message(started, buffer)
            }
            pending = buffer
            return .incomplete
        default:
            return .failed(.protocolViolation("opcode \(frame.opcode) is not a data frame"))
        }
    }
}
