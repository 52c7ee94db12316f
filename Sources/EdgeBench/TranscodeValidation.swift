import DescriptorLoader
import SwiftProtobuf
import Transcoder

/// Checks, before anything is timed, that the edge and the generated code
/// agree: the edge's wire re-parses (with generated code) to the message the
/// generated JSON parser builds, and the edge's JSON parses to the message
/// the wire holds. Byte-for-byte identity is reported but not required (the
/// edge writes fields in JSON order; both are valid encodings).
enum TranscodeValidation {
    /// Returns a note on byte identity; throws `BenchFailure` on disagreement.
    static func jsonToWire<M: SwiftProtobuf.Message & Equatable>(
        _ type: M.Type, json: [UInt8], converter: JSONToWire, ordinal: Int
    ) throws -> String {
        var edgeWire: [UInt8] = []
        try json.withUnsafeBytes { try converter.convert($0, message: ordinal, options: .defaults, into: &edgeWire) }
        let expected = try M(jsonUTF8Bytes: json)
        let reparsed = try M(serializedBytes: edgeWire)
        let generatedWire: [UInt8] = try expected.serializedBytes()
        guard try equivalent(reparsed, expected) else {
            throw BenchFailure(
                "JSONToWire output of \(M.protoMessageName) differs from the generated parse:\n edge      \(hex(edgeWire))\n generated \(hex(generatedWire))")
        }
        return edgeWire == generatedWire
            ? "wire identical (\(edgeWire.count) B)"
            : "wire equivalent, not identical (\(edgeWire.count) B edge, \(generatedWire.count) B generated, first difference at byte \(firstDifference(edgeWire, generatedWire)))"
    }

    /// Returns the edge's JSON (its size is the row's byte count) and a note.
    static func wireToJSON<M: SwiftProtobuf.Message & Equatable>(
        _ type: M.Type, wire: [UInt8], converter: WireToJSON, ordinal: Int
    ) throws -> (json: [UInt8], note: String) {
        var edgeJSON: [UInt8] = []
        try wire.withUnsafeBytes { try converter.convert($0, message: ordinal, options: .defaults, into: &edgeJSON) }
        let expected = try M(serializedBytes: wire)
        let reparsed: M
        do {
            reparsed = try M(jsonUTF8Bytes: edgeJSON)
        } catch {
            throw BenchFailure("WireToJSON output of \(M.protoMessageName) does not parse: \(error)\n\(String(decoding: edgeJSON, as: UTF8.self))")
        }
        let generatedJSON: [UInt8] = try expected.jsonUTF8Bytes()
        guard try equivalent(reparsed, expected) else {
            throw BenchFailure("WireToJSON output of \(M.protoMessageName) differs from the wire message")
        }
        let note = edgeJSON == generatedJSON
            ? "JSON identical (\(edgeJSON.count) B)"
            : "JSON equivalent, not identical (\(edgeJSON.count) B edge, \(generatedJSON.count) B generated, first difference at byte \(firstDifference(edgeJSON, generatedJSON)): edge `\(excerpt(edgeJSON, at: firstDifference(edgeJSON, generatedJSON)))`, generated `\(excerpt(generatedJSON, at: firstDifference(edgeJSON, generatedJSON)))`)"
        return (edgeJSON, note)
    }

    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    }

    /// Up to 24 bytes of JSON from `offset`, for a note.
    static func excerpt(_ json: [UInt8], at offset: Int) -> String {
        String(decoding: json[min(offset, json.count)..<min(offset + 24, json.count)], as: UTF8.self)
    }

    /// The first 128 bytes in hex, for a failure message.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.prefix(128).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)], " "] }) + (bytes.count > 128 ? "…" : "")
    }

    /// `==`, or else equal deterministic serializations: a NaN is unequal to
    /// itself, yet the same bits are the same message.
    static func equivalent<M: SwiftProtobuf.Message & Equatable>(_ a: M, _ b: M) throws -> Bool {
        if a == b { return true }
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        let x: [UInt8] = try a.serializedBytes(options: options)
        let y: [UInt8] = try b.serializedBytes(options: options)
        return x == y
    }
}
