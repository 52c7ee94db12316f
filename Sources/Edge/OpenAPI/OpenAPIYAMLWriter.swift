import NIOCore
import EdgeCore

/// Writes an ``OpenAPIValue`` as block-style YAML. Every string is written
/// double-quoted (JSON escaping is valid YAML), so no text can change meaning
/// (`yes`, `1.0`, `:` or `#` inside a description); keys are quoted unless plain.
package enum OpenAPIYAMLWriter {
    package static func write(_ value: OpenAPIValue) -> ByteBuffer {
        var buffer = ByteBuffer()
        switch value {
        case .object(let members) where !members.isEmpty:
            writeMembers(members, indent: 0, into: &buffer)
        case .array(let items) where !items.isEmpty:
            writeItems(items, indent: 0, into: &buffer)
        default:
            writeScalar(value, into: &buffer)
            buffer.writeStaticString("\n")
        }
        return buffer
    }

    private static func pad(_ indent: Int, into buffer: inout ByteBuffer) {
        buffer.writeRepeatingByte(UInt8(ascii: " "), count: indent * 2)
    }

    private static func writeMembers(_ members: [(String, OpenAPIValue)], indent: Int, into buffer: inout ByteBuffer) {
        for (key, member) in members {
            pad(indent, into: &buffer)
            writeKey(key, into: &buffer)
            buffer.writeStaticString(":")
            writeNested(member, indent: indent, into: &buffer)
        }
    }

    private static func writeItems(_ items: [OpenAPIValue], indent: Int, into buffer: inout ByteBuffer) {
        for item in items {
            pad(indent, into: &buffer)
            buffer.writeStaticString("-")
            writeNested(item, indent: indent, into: &buffer)
        }
    }

    /// What follows `key:` or `-`: a scalar on the same line, or a block below.
    private static func writeNested(_ value: OpenAPIValue, indent: Int, into buffer: inout ByteBuffer) {
        switch value {
        case .object(let members) where !members.isEmpty:
            buffer.writeStaticString("\n")
            writeMembers(members, indent: indent + 1, into: &buffer)
        case .array(let items) where !items.isEmpty:
            buffer.writeStaticString("\n")
            writeItems(items, indent: indent + 1, into: &buffer)
        default:
            buffer.writeStaticString(" ")
            writeScalar(value, into: &buffer)
            buffer.writeStaticString("\n")
        }
    }

    private static func writeScalar(_ value: OpenAPIValue, into buffer: inout ByteBuffer) {
        switch value {
        case .object: buffer.writeStaticString("{}")
        case .array: buffer.writeStaticString("[]")
        case .string(let text): JSONText.writeString(text, into: &buffer)
        default:
            var json = OpenAPIJSONWriter.write(value)
            json.moveWriterIndex(to: json.writerIndex - 1)  // the trailing newline
            buffer.writeBuffer(&json)
        }
    }

    private static func writeKey(_ key: String, into buffer: inout ByteBuffer) {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
        } && key.first.map { !$0.isNumber && $0 != "-" } ?? false
            && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(key.lowercased())
        if plain { buffer.writeString(key) } else { JSONText.writeString(key, into: &buffer) }
    }
}
