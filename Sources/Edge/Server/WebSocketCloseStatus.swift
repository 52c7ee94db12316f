import NIOCore
import NIOWebSocket
import EdgeCore

/// How a WebSocket stream's end is told to the client: the close frame's code
/// and reason, and (when the status has details) a last text frame.
///
/// - OK → 1000 (normal closure), empty reason.
/// - a gRPC error → `4000 + code` (grpc-gateway's convention: 4003 INVALID_ARGUMENT,
///   4004 DEADLINE_EXCEEDED, 4014 UNAVAILABLE…), unless the edge refused the
///   WebSocket framing itself (1002 protocol error, 1003 binary frame, 1009 too large).
/// - the reason is the compact status `{"code":N,"message":"…"}`, at most
///   123 bytes (RFC 6455 §5.5: a control frame's payload is ≤ 125 bytes, 2 of
///   them the code); a longer message is cut on a character boundary and ends in `…`.
/// - details do not fit a reason: when there are any, they go in a text frame
///   `{"error":{…Status JSON…}}` sent just before the close frame.
package enum WebSocketCloseStatus {
    /// The most bytes a close frame's reason may hold.
    package static let maxReasonBytes = 123

    package static func closeCode(for code: GRPCStatusCode) -> WebSocketErrorCode {
        code == .ok ? .normalClosure : .unknown(UInt16(4000 + code.rawValue))
    }

    /// The close frame's payload: the 2-byte code, then the reason (empty for OK).
    package static func closePayload(code: WebSocketErrorCode, error: EdgeError?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 2 + maxReasonBytes)
        buffer.write(webSocketErrorCode: code)
        if let error, error.code != .ok { writeReason(code: error.code, message: error.message, into: &buffer) }
        return buffer
    }

    /// `{"code":N,"message":"…"}` in at most ``maxReasonBytes`` bytes.
    package static func writeReason(code: GRPCStatusCode, message: String, into buffer: inout ByteBuffer) {
        let prefix = #"{"code":\#(code.rawValue),"message":""#
        let suffix = #""}"#
        let ellipsis = "…"
        let room = maxReasonBytes - prefix.utf8.count - suffix.utf8.count
        // Whole escaped characters only, so a cut never splits an escape or a UTF-8 sequence.
        var pieces: [String] = []
        var used = 0
        var truncated = false
        for scalar in message.unicodeScalars {
            let piece = escape(scalar)
            if used + piece.utf8.count > room {
                truncated = true
                break
            }
            pieces.append(piece)
            used += piece.utf8.count
        }
        if truncated {
            while used + ellipsis.utf8.count > room, let last = pieces.popLast() { used -= last.utf8.count }
            pieces.append(ellipsis)
        }
        let escaped = pieces.joined()
        buffer.writeString(prefix)
        buffer.writeString(escaped)
        buffer.writeString(suffix)
    }

    /// The last text frame of a stream whose status has details: `{"error":{"code":…,"message":…,"details":[…]}}`;
    /// nil when there are none to show (no details, an empty list, or no renderer).
    package static func errorFrame(_ error: EdgeError, detailsRenderer: StatusDetailsRenderer?, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard let details = error.details, let detailsRenderer, let json = detailsRenderer(details), json != Array("[]".utf8) else {
            return nil
        }
        var buffer = allocator.buffer(capacity: 64 + error.message.utf8.count + json.count)
        buffer.writeStaticString(#"{"error":"#)
        StatusBody.render(error, detailsRenderer: { _ in json }, into: &buffer)
        buffer.writeStaticString("}")
        return buffer
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: return String(scalar)
        }
    }
}
