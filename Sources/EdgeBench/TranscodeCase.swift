import DescriptorLoader
import SwiftProtobuf
import Transcoder

/// One transcoding benchmark row: the same conversion done by the edge's
/// converter and by swift-protobuf's generated code (parse + serialize).
/// Each workload returns the size of what it produced (for `BenchSink`).
struct TranscodeCase {
    typealias Workload = () throws -> Int

    /// Short name used by `--case` (e.g. `j2w-product`).
    let key: String
    /// The row title in the table.
    let title: String
    /// JSON bytes per message: the input of JSON→wire, the edge's output of wire→JSON.
    let jsonBytes: Int
    let wireBytes: Int
    let edge: Workload
    let generated: Workload

    /// JSON→wire: `JSONToWire.convert` into a reused buffer, against
    /// `M(jsonUTF8Bytes:)` + `serializedBytes()`.
    static func jsonToWire<M: SwiftProtobuf.Message>(
        key: String, title: String, _ type: M.Type, json: [UInt8], wireBytes: Int,
        converter: JSONToWire, ordinal: Int
    ) -> TranscodeCase {
        let input = stableCopy(json)
        var output: [UInt8] = []
        output.reserveCapacity(json.count)
        return TranscodeCase(
            key: key, title: title, jsonBytes: json.count, wireBytes: wireBytes,
            edge: {
                output.removeAll(keepingCapacity: true)
                try converter.convert(input, message: ordinal, options: .defaults, into: &output)
                return output.count
            },
            generated: {
                let message = try M(jsonUTF8Bytes: json)
                let wire: [UInt8] = try message.serializedBytes()
                return wire.count
            })
    }

    /// wire→JSON: `WireToJSON.withJSON(into:)` into a reused buffer of twice the
    /// wire size (what `SchemaTranscoder.render` does with the response buffer),
    /// against `M(serializedBytes:)` + `jsonUTF8Bytes()`, both with the default
    /// options (lowerCamelCase names, default values omitted).
    static func wireToJSON<M: SwiftProtobuf.Message>(
        key: String, title: String, _ type: M.Type, wire: [UInt8], jsonBytes: Int,
        converter: WireToJSON, ordinal: Int
    ) -> TranscodeCase {
        let input = stableCopy(wire)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: wire.count * 2 + 16, alignment: 16)
        return TranscodeCase(
            key: key, title: title, jsonBytes: jsonBytes, wireBytes: wire.count,
            edge: {
                try converter.withJSON(input, message: ordinal, responseField: nil, options: .defaults, into: output) { $0.count }
            },
            generated: {
                let message = try M(serializedBytes: wire)
                let json: [UInt8] = try message.jsonUTF8Bytes()
                return json.count
            })
    }

    /// A copy that lives for the whole run, so the edge side reads a raw buffer
    /// as the server does (from a ByteBuffer), with no per-call bridging.
    private static func stableCopy(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        return UnsafeRawBufferPointer(copy)
    }
}
