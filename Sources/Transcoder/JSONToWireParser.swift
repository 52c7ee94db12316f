import DescriptorLoader

/// One conversion in progress: reads JSON with a ``JSONReader`` and appends
/// wire bytes following the compiled plans. Lives on the stack for one call.
///
/// `depth` arguments count messages, as protobuf's JSON parsers do: the
/// level of the message about to be read (the top-level message is 1), where
/// every message entered counts, well-known types included (a JSON array in a
/// `Value` is a `ListValue` inside that `Value`: two levels), while arrays of
/// repeated fields and map objects do not. Messages deeper than `maxDepth`
/// are refused. Skipped values (unknown fields) hold no messages; they are
/// bounded by ``skipCeiling`` JSON levels only.
struct JSONToWireParser {
    var reader: JSONReader
    let plans: [JSONToWireMessagePlan]
    let enums: [JSONToWireEnumPlan]
    let schema: Schema
    let ignoreUnknownFields: Bool
    let maxDepth: Int
    /// Decoded escaped strings, reused.
    var scratch: [UInt8] = []
    /// Keys of the map and Struct objects being read.
    var keys = JSONToWireKeyTracker()

    // MARK: messages

    /// Reads the JSON form of message `ordinal` and appends its fields (no tag, no length).
    mutating func parseMessage(_ ordinal: Int, depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        try checkDepth(depth)
        let plan = plans[ordinal]
        if let wkt = plan.wellKnown, wkt != .empty {
            try parseWellKnown(wkt, plan, depth: depth, &out)
            return
        }
        try parseObject(plan, depth: depth, skipType: false, &out)
    }

    /// Reads a JSON object as the fields of `plan`. With `skipType`, an
    /// `@type` member is passed over (the members of an `Any`).
    mutating func parseObject(
        _ plan: JSONToWireMessagePlan, depth: Int, skipType: Bool, _ out: inout WireWriter.Buffer
    ) throws(TranscodeError) {
        guard try reader.peek() == 0x7B else {
            throw invalid("expected object for \(plan.fullName), got \(reader.snippet(from: reader.pos))")
        }
        reader.pos += 1
        var seen = JSONToWireSeenSet()
        if try reader.consumeIfEmpty(close: 0x7D) { return }
        let fieldCount = plan.fields.count
        repeat {
            guard try reader.peek() == 0x22 else { throw reader.malformed("expected object key") }
            let key = try reader.scanString()
            try reader.expect(0x3A, "':'")
            guard let found = lookup(key, in: plan.names) else {
                if skipType && reader.equals(key, "@type") {
                    try skipValue()
                    continue
                }
                if ignoreUnknownFields {
                    try skipValue()
                    continue
                }
                let name = reader.string(key)
                throw TranscodeError(
                    .unknownField, path: name, "unknown field \"\(name)\" in \(plan.fullName)")
            }
            let index = Int(found)
            let field = plan.fields[index]
            if seen.testAndSet(index) {
                throw TranscodeError(
                    .duplicateField, path: plan.jsonNames[index], "field given more than once")
            }
            if try reader.consumeNull() {
                writeNull(field, &out)
                continue
            }
            if field.oneofIndex >= 0 && seen.testAndSet(fieldCount + field.oneofIndex) {
                throw TranscodeError(
                    .duplicateField, path: plan.jsonNames[index],
                    "more than one member of oneof \(plan.oneofNames[field.oneofIndex]) given")
            }
            do throws(TranscodeError) {
                try parseFieldValue(field, depth: depth + 1, &out)
            } catch {
                throw error.prefixed(field: plan.jsonNames[index])
            }
        } while try reader.nextMember(close: 0x7D)
        // proto2 `required` fields are not checked: like protobuf's own JSON
        // parsers (Python, C++), partial messages are accepted; the backend validates.
    }

    @inline(__always)
    mutating func lookup(_ key: JSONReaderStringToken, in table: JSONToWireNameTable) -> Int32? {
        if !key.escaped {
            return table.lookup(reader.base + key.start, key.count)
        }
        scratch.removeAll(keepingCapacity: true)
        reader.decode(key, into: &scratch)
        return scratch.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress else { return nil }
            return table.lookup(p, b.count)
        }
    }

    /// JSON `null` for a field: unset, except for `Value` (a null value) and `NullValue`.
    func writeNull(_ field: JSONToWireFieldPlan, _ out: inout WireWriter.Buffer) {
        guard !field.isRepeated else { return }
        if field.isValue {
            WireWriter.tag(field.tag, &out)
            out.append(0x02)
            out.append(0x08)
            out.append(0x00)
        } else if field.isNullValue && field.writesDefault {
            WireWriter.tag(field.tag, &out)
            out.append(0x00)
        }
    }

    /// A field's JSON value (not null): an array for repeated, an object for maps.
    mutating func parseFieldValue(_ field: JSONToWireFieldPlan, depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        if field.isMap {
            try parseMap(field, depth: depth, &out)
        } else if field.isRepeated {
            try parseRepeated(field, depth: depth, &out)
        } else {
            try parseSingle(field, depth: depth, elideDefault: !field.writesDefault, &out)
        }
    }

    /// One value with its tag.
    @inline(__always)
    mutating func parseSingle(
        _ field: JSONToWireFieldPlan, depth: Int, elideDefault: Bool, _ out: inout WireWriter.Buffer
    ) throws(TranscodeError) {
        switch field.type {
        case .message:
            guard field.message >= 0 else { throw invalid("unresolved message type") }
            WireWriter.tag(field.tag, &out)
            let mark = WireWriter.beginLength(&out)
            try parseMessage(field.message, depth: depth, &out)
            WireWriter.endLength(&out, at: mark)
        case .group:
            guard field.message >= 0 else { throw invalid("unresolved group type") }
            WireWriter.tag(field.tag, &out)
            try parseMessage(field.message, depth: depth, &out)
            WireWriter.tag(field.endGroupTag, &out)
        default:
            _ = try parseScalar(field, elideDefault: elideDefault, tagged: true, &out)
        }
    }

    // MARK: repeated

    mutating func parseRepeated(_ field: JSONToWireFieldPlan, depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        guard try reader.peek() == 0x5B else {
            throw invalid("expected array for repeated field, got \(reader.snippet(from: reader.pos))")
        }
        reader.pos += 1
        if try reader.consumeIfEmpty(close: 0x5D) { return }
        var index = 0
        if field.isPacked {
            let start = out.count
            WireWriter.tag(field.packedTag, &out)
            let mark = WireWriter.beginLength(&out)
            repeat {
                do throws(TranscodeError) {
                    if try reader.consumeNull() { throw invalid("null is not allowed in a repeated field") }
                    _ = try parseScalar(field, elideDefault: false, tagged: false, &out)
                } catch {
                    throw error.prefixed(index: index)
                }
                index += 1
            } while try reader.nextMember(close: 0x5D)
            if out.count == mark + 1 {
                out.truncate(to: start)
            } else {
                WireWriter.endLength(&out, at: mark)
            }
            return
        }
        repeat {
            do throws(TranscodeError) {
                if try reader.consumeNull() {
                    guard field.isValue else { throw invalid("null is not allowed in a repeated field") }
                    try checkDepth(depth)  // a Value, entered
                    WireWriter.tag(field.tag, &out)
                    out.append(0x02)
                    out.append(0x08)
                    out.append(0x00)
                } else {
                    try parseSingle(field, depth: depth, elideDefault: false, &out)
                }
            } catch {
                throw error.prefixed(index: index)
            }
            index += 1
        } while try reader.nextMember(close: 0x5D)
    }

    // MARK: maps

    mutating func parseMap(_ field: JSONToWireFieldPlan, depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        guard try reader.peek() == 0x7B else {
            throw invalid("expected object for map field, got \(reader.snippet(from: reader.pos))")
        }
        guard field.message >= 0, plans[field.message].fields.count == 2 else { throw invalid("unresolved map entry type") }
        reader.pos += 1
        if try reader.consumeIfEmpty(close: 0x7D) { return }
        let entry = plans[field.message]
        let keyField = entry.fields[0]
        let valueField = entry.fields[1]
        var frame = keys.begin()
        defer { keys.end(frame) }
        repeat {
            guard try reader.peek() == 0x22 else { throw reader.malformed("expected object key") }
            let key = try reader.scanString()
            try reader.expect(0x3A, "':'")
            if !keys.insert(key, &frame, reader) {
                throw TranscodeError(.duplicateField, "map key given more than once").prefixed(key: reader.string(key))
            }
            let start = out.count
            WireWriter.tag(field.tag, &out)
            let mark = WireWriter.beginLength(&out)
            do throws(TranscodeError) {
                try writeMapKey(keyField, key, &out)
                if try reader.consumeNull() {
                    guard valueField.isValue else { throw invalid("null is not allowed as a map value") }
                    try checkDepth(depth)  // a Value, entered
                    WireWriter.tag(valueField.tag, &out)
                    out.append(0x02)
                    out.append(0x08)
                    out.append(0x00)
                } else if valueField.type == .message {
                    try parseSingle(valueField, depth: depth, elideDefault: false, &out)
                } else if try !parseScalar(valueField, elideDefault: false, tagged: true, &out) {
                    out.truncate(to: start)  // unknown enum name, ignored
                    continue
                }
            } catch {
                throw error.prefixed(key: reader.string(key))
            }
            WireWriter.endLength(&out, at: mark)
        } while try reader.nextMember(close: 0x7D)
    }

    /// A map key (always a JSON string) converted to the key type, with its tag.
    mutating func writeMapKey(_ field: JSONToWireFieldPlan, _ key: JSONReaderStringToken, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        WireWriter.tag(field.tag, &out)
        switch field.type {
        case .string:
            writeStringPayload(key, &out)
        case .bool:
            if reader.equals(key, "true") {
                out.append(1)
            } else if reader.equals(key, "false") {
                out.append(0)
            } else {
                throw invalid("expected map key \"true\" or \"false\", got \"\(reader.string(key))\"")
            }
        default:
            let value = try integerFromString(key, field.type)
            writeInteger(value, field.type, &out)
        }
    }

    // MARK: helpers

    /// Refuses a message at level `depth` beyond `maxDepth`.
    @inline(__always)
    func checkDepth(_ depth: Int) throws(TranscodeError) {
        if depth > maxDepth {
            throw TranscodeError(.tooDeep, "messages nested deeper than \(maxDepth)", offset: reader.pos)
        }
    }

    /// JSON nesting allowed inside a skipped value (it holds no messages, so
    /// `maxDepth` does not apply), against stack exhaustion.
    static let skipCeiling = 1_000

    /// Skips one JSON value (an unknown field, a member of an `Any` read twice).
    @inline(__always)
    mutating func skipValue() throws(TranscodeError) {
        try reader.skipValue(depth: 1, maxDepth: Self.skipCeiling)
    }

    func invalid(_ message: String) -> TranscodeError {
        TranscodeError(.invalidValue, message)
    }
}
