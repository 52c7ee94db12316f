import NIOCore
import EdgeConfig

/// How a server-streaming response frames its messages, and how it ends, well or
/// with an error, once the `200` head is out:
///
/// | format | content type | message | failure after the first message | end |
/// |---|---|---|---|---|
/// | ``ndjson`` | `application/x-ndjson` | `<json>\n` | `{"error":<status>}\n` | — |
/// | ``eventStream`` | `text/event-stream` | `data: <json>\n\n` | `event: error\ndata: <status>\n\n` | — |
/// | ``jsonArray`` | `application/json` | `[<json>` then `,<json>` | `,{"error":<status>}]` | `]` (`[]` when empty) |
/// | ``raw`` | the first message's | its bytes | the connection is cut (no last chunk) | — |
///
/// `<status>` is the `google.rpc.Status` JSON of error responses. Pure: writes into buffers.
package enum StreamingResponseFormat: Sendable, Equatable {
    case ndjson
    case eventStream
    case jsonArray
    /// `google.api.HttpBody` messages: each one's `data`, unframed.
    case raw

    /// The format for a route and a request's `Accept` header: SSE when the client
    /// accepts `text/event-stream`, else the route's configured format.
    package static func negotiate(accept: String?, configured: EdgeConfig.StreamFormat, raw: Bool) -> StreamingResponseFormat {
        if raw { return .raw }
        if let accept, accept.lowercased().contains("text/event-stream") { return .eventStream }
        switch configured {
        case .ndjson: return .ndjson
        case .jsonArray: return .jsonArray
        }
    }

    /// `nil` for ``raw``: the type comes from the messages.
    package var contentType: String? {
        switch self {
        case .ndjson: "application/x-ndjson"
        case .eventStream: "text/event-stream"
        case .jsonArray: "application/json"
        case .raw: nil
        }
    }

    /// Bytes added around one message, for sizing its buffer.
    package static let framingBytes = 16

    /// Writes message number `index` (0-based), already rendered as JSON (or raw bytes).
    package func writeMessage(_ message: ByteBuffer, index: Int, into buffer: inout ByteBuffer) {
        switch self {
        case .ndjson:
            buffer.writeImmutableBuffer(message)
            buffer.writeStaticString("\n")
        case .eventStream:
            // The printer escapes control characters inside strings: the JSON is one line.
            buffer.writeStaticString("data: ")
            buffer.writeImmutableBuffer(message)
            buffer.writeStaticString("\n\n")
        case .jsonArray:
            if index == 0 {
                buffer.writeStaticString("[")
            } else {
                buffer.writeStaticString(",")
            }
            buffer.writeImmutableBuffer(message)
        case .raw:
            buffer.writeImmutableBuffer(message)
        }
    }

    /// Writes the last frame of a stream that failed after `messages` messages;
    /// `status` is the `google.rpc.Status` JSON. Nothing for ``raw``.
    package func writeFailure(_ status: ByteBuffer, messages: Int, into buffer: inout ByteBuffer) {
        switch self {
        case .ndjson:
            buffer.writeStaticString(#"{"error":"#)
            buffer.writeImmutableBuffer(status)
            buffer.writeStaticString("}\n")
        case .eventStream:
            buffer.writeStaticString("event: error\ndata: ")
            buffer.writeImmutableBuffer(status)
            buffer.writeStaticString("\n\n")
        case .jsonArray:
            buffer.writeStaticString(messages == 0 ? "[" : ",")
            buffer.writeStaticString(#"{"error":"#)
            buffer.writeImmutableBuffer(status)
            buffer.writeStaticString("}]")
        case .raw:
            break
        }
    }

    /// Writes what closes a stream that ended well after `messages` messages.
    package func writeEnd(messages: Int, into buffer: inout ByteBuffer) {
        guard self == .jsonArray else { return }
        buffer.writeStaticString(messages == 0 ? "[]" : "]")
    }

    /// A failure after the head can be told to the client in the body.
    package var canReportFailure: Bool { self != .raw }
}
