import DescriptorLoader

/// Prints protobuf wire bytes as ProtoJSON in one pass (the response side of
/// transcoding).
///
/// Plans for every message of the schema are compiled once here; converting
/// reads the input through them and appends to the caller's buffer, without
/// building intermediate messages or per-field Strings.
///
/// The output matches `google.protobuf.json_format.MessageToJson` (compact,
/// fields in field-number order). Wire data is read as protobuf parsers read
/// it: unknown fields, and fields whose wire type does not match, are skipped;
/// the last value of a singular field wins; message occurrences merge; packed
/// and unpacked repeated values are both accepted; unknown numbers of a closed
/// (proto2) enum are dropped. Where protobuf's printers would fail (Timestamp
/// or Duration out of range, an Any of a type not in the schema, a FieldMask
/// path that cannot round-trip, a non-finite `Value.number_value`) this
/// throws ``TranscodeError`` `.unrepresentable`; strings that are not UTF-8
/// (in proto2 files too) throw `.invalidUTF8`; truncated or malformed data
/// `.malformedWire`; nesting beyond `maxDepth` `.tooDeep`.
public final class WireToJSON: Sendable {
    private let arena: WireToJSONArena
    private let tables: Tables
    let ordinalsByName: [String: Int]

    /// The compiled plans, pointing into `arena`.
    private struct Tables: @unchecked Sendable {
        let plans: UnsafeBufferPointer<WireToJSONMessagePlan>
        let enums: UnsafeBufferPointer<WireToJSONEnumPlan>
    }

    var plans: UnsafeBufferPointer<WireToJSONMessagePlan> { tables.plans }

    /// A valid address for empty inputs (reads never touch it).
    static var emptyBase: UnsafeRawPointer { UnsafeRawPointer(bitPattern: 0x10)! }

    /// Compiles per-message plans for every message in `schema.messageList`, indexed by ordinal.
    public init(schema: Schema) {
        let arena = WireToJSONArena()
        var enumIndexes: [String: Int] = [:]
        var enums: [WireToJSONEnumPlan] = []
        for name in schema.enums.keys.sorted() {
            enumIndexes[name] = enums.count
            enums.append(WireToJSONEnumPlan(schema.enums[name]!, arena: arena))
        }
        let plans = schema.messageList.map { WireToJSONMessagePlan($0, schema: schema, enumIndexes: enumIndexes, arena: arena) }
        tables = Tables(plans: arena.copy(plans), enums: arena.copy(enums))
        self.arena = arena
        var ordinals: [String: Int] = [:]
        for (i, message) in schema.messageList.enumerated() { ordinals[message.fullName] = i }
        ordinalsByName = ordinals
    }

    /// Prints the ProtoJSON form of one serialized message, appended to `output`.
    /// Throws ``TranscodeError``; `output` is then left as it was.
    public func convert(
        _ wire: UnsafeRawBufferPointer, message ordinal: Int, options: JSONPrintOptions, into output: inout [UInt8]
    ) throws {
        try withJSON(wire, message: ordinal, responseField: nil, options: options) { output += $0 }
    }

    /// Prints one serialized message, or just its field `responseField` as
    /// ``convertField(_:message:fieldNumber:options:into:)`` does, and calls `body`
    /// with the JSON (valid only during the call): for callers that copy it
    /// into their own buffer once. Throws ``TranscodeError``; `body` is then not called.
    public func withJSON<R>(
        _ wire: UnsafeRawBufferPointer, message ordinal: Int, responseField: Int32?, options: JSONPrintOptions,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        // Protobuf wire is denser than its JSON: twice the wire size is usually enough.
        try withJSON(wire, message: ordinal, responseField: responseField, options: options, output: JSONOutput(capacity: wire.count * 2 + 16), body)
    }

    /// ``withJSON(_:message:responseField:options:_:)`` printing into `target` (the
    /// caller's writable memory, e.g. a response buffer's spare capacity): `body`
    /// gets the JSON at `target`'s start when it fitted there (nothing to copy),
    /// else in memory of its own (longer than `target`; valid only during the call).
    public func withJSON<R>(
        _ wire: UnsafeRawBufferPointer, message ordinal: Int, responseField: Int32?, options: JSONPrintOptions,
        into target: UnsafeMutableRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        try withJSON(wire, message: ordinal, responseField: responseField, options: options, output: JSONOutput(borrowing: target), body)
    }

    private func withJSON<R>(
        _ wire: UnsafeRawBufferPointer, message ordinal: Int, responseField: Int32?, options: JSONPrintOptions,
        output start: JSONOutput, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        var output = start
        defer { output.deallocate() }
        guard plans.indices.contains(ordinal) else {
            throw TranscodeError(.unrepresentable, "no message with ordinal \(ordinal)")
        }
        do throws(WireToJSONFailure) {
            if let responseField {
                try printField(wire, message: ordinal, fieldNumber: responseField, options: options, into: &output)
            } else {
                try printer(options).printMessage(ordinal, reader(wire), depth: 0, into: &output)
            }
        } catch {
            throw error.transcodeError
        }
        return try body(UnsafeRawBufferPointer(output.bytes))
    }

    public func convert(_ wire: [UInt8], messageType: String, options: JSONPrintOptions = .defaults) throws -> [UInt8] {
        guard let ordinal = ordinalsByName[messageType] else {
            throw TranscodeError(.unrepresentable, "unknown message type \(messageType)")
        }
        var output: [UInt8] = []
        try wire.withUnsafeBytes { try convert($0, message: ordinal, options: options, into: &output) }
        return output
    }

    /// Prints only the JSON value of one field of the message (an HTTP rule's
    /// `response_body`): the array of a repeated field, the object of a map,
    /// the scalar, the message. An absent field prints what grpc-gateway does:
    /// a map `{}`; a repeated field `[]` with `emitUnpopulated`, else `null`;
    /// a message its empty form (`{}`, or a well-known type's default such as
    /// `"1970-01-01T00:00:00Z"`; `null` for Value); a scalar its default.
    public func convertField(
        _ wire: UnsafeRawBufferPointer, message ordinal: Int, fieldNumber: Int32, options: JSONPrintOptions,
        into output: inout [UInt8]
    ) throws {
        try withJSON(wire, message: ordinal, responseField: fieldNumber, options: options) { output += $0 }
    }

    private func printField(
        _ wire: UnsafeRawBufferPointer, message ordinal: Int, fieldNumber: Int32, options: JSONPrintOptions,
        into output: inout JSONOutput
    ) throws(WireToJSONFailure) {
        let plan = plans[ordinal]
        let slot = plan.slot(for: fieldNumber)
        guard slot >= 0 else {
            throw WireToJSONFailure(.unknownField, "\(plan.fullName) has no field \(fieldNumber)")
        }
        let field = plan.fields[slot]
        let printer = printer(options)
        let input = reader(wire)
        if try !printer.printFieldValue(plan, slot: slot, input, depth: 0, namesField: true, into: &output) {
            switch field.shape {
            case .map:
                output.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            case .repeated:
                output.append(contentsOf: options.emitUnpopulated ? [UInt8(ascii: "["), UInt8(ascii: "]")] : WireToJSONPrinter.nullBytes)
            case .singular:
                if field.messageOrdinal >= 0 {
                    let empty = WireReader(base: input.base, position: 0, end: 0)
                    do {
                        try printer.printMessage(field.messageOrdinal, empty, depth: 1, into: &output)
                    } catch {
                        throw error.adding(.field(options.useProtoNames ? field.protoName : field.jsonName))
                    }
                } else {
                    printer.printDefaultScalar(field, into: &output)
                }
            }
        }
    }

    private func printer(_ options: JSONPrintOptions) -> WireToJSONPrinter {
        WireToJSONPrinter(plans: tables.plans, enums: tables.enums, ordinalsByName: ordinalsByName, options: options)
    }

    private func reader(_ wire: UnsafeRawBufferPointer) -> WireReader {
        WireReader(base: wire.baseAddress ?? Self.emptyBase, position: 0, end: wire.count)
    }
}
