import NIOCore
import EdgeCore

/// Writes an ``OpenAPIValue`` as JSON (two-space indented: the document is read by
/// people too) with the edge's own string escaping (``JSONText``). Runs once per
/// load, never per request.
package enum OpenAPIJSONWriter {
    package static func write(_ value: OpenAPIValue) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(value, indent: 0, into: &buffer)
        buffer.writeStaticString("\n")
        return buffer
    }

    private static func newline(_ indent: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\n")
        buffer.writeRepeatingByte(UInt8(ascii: " "), count: indent * 2)
    }

    private static func write(_ value: OpenAPIValue, indent: Int, into buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeStaticString("null")
        case .bool(let flag): buffer.writeString(flag ? "true" : "false")
        case .int(let number): buffer.writeString(String(number))
        case .uint(let number): buffer.writeString(String(number))
        case .double(let number):
            if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
                buffer.writeString(String(Int64(number)))
            } else {
                buffer.writeString(number.isFinite ? "\(number)" : "null")
            }
        case .string(let text): JSONText.writeString(text, into: &buffer)
        case .array(let items):
            guard !items.isEmpty else { buffer.writeStaticString("[]"); return }
            buffer.writeStaticString("[")
            for (i, item) in items.enumerated() {
                if i > 0 { buffer.writeStaticString(",") }
                newline(indent + 1, into: &buffer)
                write(item, indent: indent + 1, into: &buffer)
            }
            newline(indent, into: &buffer)
            buffer.writeStaticString("]")
        case .object(let members):
            guard !members.isEmpty else { buffer.writeStaticString("{}"); return }
            buffer.writeStaticString("{")
            for (i, (key, member)) in members.enumerated() {
                if i > 0 { buffer.writeStaticString(",") }
                newline(indent + 1, into: &buffer)
                JSONText.writeString(key, into: &buffer)
                buffer.writeStaticString(": ")
                write(member, indent: indent + 1, into: &buffer)
            }
            newline(indent, into: &buffer)
            buffer.writeStaticString("}")
        }
    }
}
