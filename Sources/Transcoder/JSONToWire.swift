import DescriptorLoader

/// Converts ProtoJSON request bodies to protobuf wire bytes in one pass.
///
/// Plans for every message of the schema are compiled once in `init` (field
/// tables keyed by JSON and proto name bytes, precomputed tags); a conversion
/// reads the JSON bytes once and appends wire bytes directly, back-patching
/// nested lengths, without building a tree or making a `String` per field.
/// Immutable after `init`, so one instance serves every event loop.
///
/// Fields are written in the order the JSON document gives them (any order
/// is valid protobuf; a parser keeps the last value of a singular field).
/// Map entries always carry both key and value, as protobuf's own encoders do.
public final class JSONToWire: Sendable {
    let schema: Schema
    let plans: [JSONToWireMessagePlan]
    let enums: [JSONToWireEnumPlan]
    /// Parsing recurses once per nesting level; whatever the options say,
    /// messages nest at most this deep so that hostile input cannot exhaust a
    /// thread's stack (a message level is at most two JSON levels: an array of
    /// messages, or a ListValue in a Value, so this bounds JSON nesting to ~1,000).
    static let depthCeiling = 500

    public init(schema: Schema) {
        self.schema = schema
        let enumList = schema.enums.values.sorted { $0.fullName < $1.fullName }
        var enumIndex: [String: Int] = [:]
        for (i, e) in enumList.enumerated() { enumIndex[e.fullName] = i }
        self.enums = enumList.map(JSONToWireEnumPlan.init)
        self.plans = schema.messageList.map {
            JSONToWireMessagePlan(message: $0, schema: schema, enumIndex: enumIndex)
        }
    }

    /// Converts one JSON document (the message's ProtoJSON form: an object, or
    /// the special form of a well-known type) to wire bytes appended to `output`.
    /// Throws ``TranscodeError``; on error `output` is left as it was.
    public func convert(
        _ json: UnsafeRawBufferPointer, message ordinal: Int, options: JSONParseOptions, into output: inout [UInt8]
    ) throws {
        guard ordinal >= 0 && ordinal < plans.count else {
            throw TranscodeError(.invalidValue, "no message with ordinal \(ordinal)")
        }
        try run(json, options: options, into: &output) { (parser, out) throws(TranscodeError) in
            try parser.parseMessage(ordinal, depth: 1, &out)
        }
    }

    /// Converts a JSON document for the message named `messageType` (`pkg.Msg`).
    public func convert(_ json: [UInt8], messageType: String, options: JSONParseOptions = .defaults) throws -> [UInt8] {
        guard let ordinal = schema.ordinal(of: messageType) else {
            throw TranscodeError(.invalidValue, "unknown message type \(messageType)")
        }
        var output: [UInt8] = []
        try json.withUnsafeBytes { buffer in
            try convert(buffer, message: ordinal, options: options, into: &output)
        }
        return output
    }

    /// Parses `json` as the JSON value of one field of the message (an HTTP
    /// rule's `body: "product"`) and appends that field's wire encoding, tags
    /// included (an array for a repeated field, an object for a map). Error
    /// paths are relative to that value. `null` appends nothing (except for
    /// `google.protobuf.Value` fields).
    public func convertField(
        _ json: UnsafeRawBufferPointer, message ordinal: Int, fieldNumber: Int32, options: JSONParseOptions,
        into output: inout [UInt8]
    ) throws {
        guard ordinal >= 0 && ordinal < plans.count else {
            throw TranscodeError(.invalidValue, "no message with ordinal \(ordinal)")
        }
        let plan = plans[ordinal]
        guard let index = plan.fieldIndex(number: fieldNumber) else {
            throw TranscodeError(.invalidValue, "\(plan.fullName) has no field number \(fieldNumber)")
        }
        let field = plan.fields[index]
        try run(json, options: options, into: &output) { (parser, out) throws(TranscodeError) in
            if try parser.reader.consumeNull() {
                parser.writeNull(field, &out)
            } else {
                // The value's messages are below the (implicit) request message, level 1.
                try parser.parseFieldValue(field, depth: 2, &out)
            }
        }
    }

    private func run(
        _ json: UnsafeRawBufferPointer, options: JSONParseOptions, into output: inout [UInt8],
        _ body: (inout JSONToWireParser, inout WireWriter.Buffer) throws(TranscodeError) -> Void
    ) throws(TranscodeError) {
        guard let base = json.baseAddress, json.count > 0 else {
            throw TranscodeError(.malformedJSON, "empty input", offset: 0)
        }
        var parser = JSONToWireParser(
            reader: JSONReader(base: base.assumingMemoryBound(to: UInt8.self), count: json.count),
            plans: plans, enums: enums, schema: schema,
            ignoreUnknownFields: options.ignoreUnknownFields, maxDepth: min(options.maxDepth, Self.depthCeiling))
        var buffer = WireWriter.Buffer(capacity: json.count + 64)
        defer { buffer.deallocate() }
        try body(&parser, &buffer)
        parser.reader.skipWhitespace()
        if parser.reader.pos != parser.reader.end {
            throw parser.reader.malformed("unexpected data after the JSON value")
        }
        output.append(contentsOf: buffer.bytes)
    }
}
