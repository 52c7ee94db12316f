import DescriptorLoader

/// The well-known types whose JSON form is not a plain object of fields.
extension JSONToWireParser {
    mutating func parseWellKnown(
        _ wkt: WellKnownType, _ plan: JSONToWireMessagePlan, depth: Int, _ out: inout WireWriter.Buffer
    ) throws(TranscodeError) {
        switch wkt {
        case .any:
            try parseAny(depth: depth, &out)
        case .timestamp, .duration:
            try parseTime(wkt, &out)
        case .fieldMask:
            try parseFieldMask(&out)
        case .struct:
            try parseStruct(depth: depth, &out)
        case .value:
            try parseValue(depth: depth, &out)
        case .listValue:
            try parseListValue(depth: depth, &out)
        case .empty:
            try parseObject(plan, depth: depth, skipType: false, &out)
        default:
            // The nine wrappers: the JSON form is the wrapped scalar, field 1.
            guard let field = plan.fields.first else { throw invalid("wrapper without a value field") }
            if try reader.consumeNull() { throw expected(field.type.protoName, got: "null") }
            _ = try parseScalar(field, elideDefault: true, tagged: true, &out)
        }
    }

    // MARK: Timestamp, Duration, FieldMask

    private mutating func parseTime(_ wkt: WellKnownType, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        let what = wkt == .timestamp ? "RFC 3339 timestamp" : "duration in seconds (\"1.5s\")"
        guard try reader.peek() == 0x22 else { throw expected(what) }
        let start = reader.pos
        let token = try reader.scanString()
        let result: (Int64, Int32)
        do throws(JSONToWireTime.Failure) {
            if token.escaped {
                scratch.removeAll(keepingCapacity: true)
                reader.decode(token, into: &scratch)
                let copy = scratch
                let r = copy.withUnsafeBufferPointer { b -> Result<(Int64, Int32), JSONToWireTime.Failure> in
                    guard let p = b.baseAddress else { return .failure(.invalid) }
                    do throws(JSONToWireTime.Failure) {
                        return .success(wkt == .timestamp ? try JSONToWireTime.timestamp(p, b.count) : try JSONToWireTime.duration(p, b.count))
                    } catch {
                        return .failure(error)
                    }
                }
                result = try r.get()
            } else if wkt == .timestamp {
                result = try JSONToWireTime.timestamp(reader.base + token.start, token.count)
            } else {
                result = try JSONToWireTime.duration(reader.base + token.start, token.count)
            }
        } catch .invalid {
            throw expected(what, got: reader.snippet(from: start))
        } catch {
            let type = wkt == .timestamp ? "Timestamp (0001-01-01 to 9999-12-31)" : "Duration (±315576000000s)"
            throw TranscodeError(.outOfRange, "value out of range for \(type): \(reader.snippet(from: start))")
        }
        if result.0 != 0 {
            out.append(0x08)
            WireWriter.varint(UInt64(bitPattern: result.0), &out)
        }
        if result.1 != 0 {
            out.append(0x10)
            WireWriter.varint(UInt64(bitPattern: Int64(result.1)), &out)
        }
    }

    /// `"fooBar,baz.quxQuux"` -> paths `foo_bar`, `baz.qux_quux`.
    private mutating func parseFieldMask(_ out: inout WireWriter.Buffer) throws(TranscodeError) {
        guard try reader.peek() == 0x22 else { throw expected("field mask string") }
        let token = try reader.scanString()
        scratch.removeAll(keepingCapacity: true)
        reader.decode(token, into: &scratch)
        if scratch.isEmpty { return }
        var segmentStart = 0
        for i in 0...scratch.count {
            guard i == scratch.count || scratch[i] == UInt8(ascii: ",") else { continue }
            var uppercase = 0
            for k in segmentStart..<i {
                let c = scratch[k]
                if c == UInt8(ascii: "_") {
                    throw TranscodeError(
                        .invalidValue, "field mask path \"\(String(decoding: scratch[segmentStart..<i], as: UTF8.self))\" must be lowerCamelCase (no \"_\")")
                }
                if c >= 0x41 && c <= 0x5A { uppercase += 1 }
            }
            out.append(0x0A)
            WireWriter.varint(UInt64(i - segmentStart + uppercase), &out)
            for k in segmentStart..<i {
                let c = scratch[k]
                if c >= 0x41 && c <= 0x5A {
                    out.append(UInt8(ascii: "_"))
                    out.append(c + 0x20)
                } else {
                    out.append(c)
                }
            }
            segmentStart = i + 1
        }
    }

    // MARK: Struct, Value, ListValue

    /// A JSON object as `Struct.fields` entries; the Struct is at level
    /// `depth`, each of its Values one below.
    mutating func parseStruct(depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        guard try reader.peek() == 0x7B else { throw expected("object for google.protobuf.Struct") }
        try checkDepth(depth)
        reader.pos += 1
        if try reader.consumeIfEmpty(close: 0x7D) { return }
        var frame = keys.begin()
        defer { keys.end(frame) }
        repeat {
            guard try reader.peek() == 0x22 else { throw reader.malformed("expected object key") }
            let key = try reader.scanString()
            try reader.expect(0x3A, "':'")
            if !keys.insert(key, &frame, reader) {
                throw TranscodeError(.duplicateField, "key given more than once").prefixed(key: reader.string(key))
            }
            out.append(0x0A)
            let entry = WireWriter.beginLength(&out)
            out.append(0x0A)
            writeStringPayload(key, &out)
            out.append(0x12)
            let value = WireWriter.beginLength(&out)
            do throws(TranscodeError) {
                try parseValue(depth: depth + 1, &out)
            } catch {
                throw error.prefixed(key: reader.string(key))
            }
            WireWriter.endLength(&out, at: value)
            WireWriter.endLength(&out, at: entry)
        } while try reader.nextMember(close: 0x7D)
    }

    /// Any JSON value as the fields of a `google.protobuf.Value` at level
    /// `depth` (an object or array is a Struct or ListValue one below).
    mutating func parseValue(depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        try checkDepth(depth)
        let b = try reader.peek()
        switch b {
        case 0x7B:
            out.append(0x2A)
            let mark = WireWriter.beginLength(&out)
            try parseStruct(depth: depth + 1, &out)
            WireWriter.endLength(&out, at: mark)
        case 0x5B:
            out.append(0x32)
            let mark = WireWriter.beginLength(&out)
            try parseListValue(depth: depth + 1, &out)
            WireWriter.endLength(&out, at: mark)
        case 0x22:
            let token = try reader.scanString()
            out.append(0x1A)
            writeStringPayload(token, &out)
        case 0x74:
            try reader.literal("true")
            out.append(0x20)
            out.append(1)
        case 0x66:
            try reader.literal("false")
            out.append(0x20)
            out.append(0)
        case 0x6E:
            try reader.literal("null")
            out.append(0x08)
            out.append(0)
        default:
            let start = reader.pos
            let token = try reader.scanNumber()
            let value = JSONReaderNumbers.double(reader.base, token.start, token.end)
            guard value.isFinite else {
                throw TranscodeError(.outOfRange, "value out of range for double: \(reader.snippet(from: start))")
            }
            out.append(0x11)
            WireWriter.fixed64(value.bitPattern, &out)
        }
    }

    /// A JSON array as `ListValue.values`; the ListValue is at level `depth`,
    /// each of its Values one below.
    mutating func parseListValue(depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        guard try reader.peek() == 0x5B else { throw expected("array for google.protobuf.ListValue") }
        try checkDepth(depth)
        reader.pos += 1
        if try reader.consumeIfEmpty(close: 0x5D) { return }
        var index = 0
        repeat {
            out.append(0x0A)
            let mark = WireWriter.beginLength(&out)
            do throws(TranscodeError) {
                try parseValue(depth: depth + 1, &out)
            } catch {
                throw error.prefixed(index: index)
            }
            WireWriter.endLength(&out, at: mark)
            index += 1
        } while try reader.nextMember(close: 0x5D)
    }

    // MARK: Any

    /// `{"@type": "…/pkg.Msg", …fields}` or, for types with a special JSON
    /// form, `{"@type": …, "value": <that form>}`. `@type` may come anywhere:
    /// the object is scanned for it first (which stops at once when it comes
    /// first), then read again as the packed message.
    private mutating func parseAny(depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        guard try reader.peek() == 0x7B else { throw expected("object for google.protobuf.Any") }
        let objectStart = reader.pos
        reader.pos += 1
        if try reader.consumeIfEmpty(close: 0x7D) { return }
        var typeToken: JSONReaderStringToken?
        repeat {
            guard try reader.peek() == 0x22 else { throw reader.malformed("expected object key") }
            let key = try reader.scanString()
            try reader.expect(0x3A, "':'")
            if reader.equals(key, "@type") {
                guard try reader.peek() == 0x22 else { throw expected("type URL string").prefixed(field: "@type") }
                typeToken = try reader.scanString()
                break
            }
            try skipValue()
        } while try reader.nextMember(close: 0x7D)
        guard let typeToken else { throw invalid("missing \"@type\" in google.protobuf.Any") }
        scratch.removeAll(keepingCapacity: true)
        reader.decode(typeToken, into: &scratch)
        let url = scratch
        // The type name follows the last "/"; a URL without one is the type name itself, as
        // Python's json_format and Go's protojson read it (and as the printer writes it).
        let nameStart = (url.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        let typeName = String(decoding: url[nameStart...], as: UTF8.self)
        guard let ordinal = schema.ordinal(of: typeName), ordinal < plans.count else {
            throw TranscodeError(.invalidValue, path: "@type", "unknown type \"\(String(decoding: url, as: UTF8.self))\" in google.protobuf.Any")
        }
        out.append(0x0A)
        WireWriter.varint(UInt64(url.count), &out)
        url.withUnsafeBufferPointer { out.append(contentsOf: $0) }
        let valueStart = out.count
        out.append(0x12)
        let mark = WireWriter.beginLength(&out)
        reader.pos = objectStart
        let target = plans[ordinal]
        if let wkt = target.wellKnown, wkt != .empty {
            // The packed message is one level below the Any, except a wrapper,
            // which protobuf's parsers read as a plain scalar.
            let valueDepth = Self.isWrapper(wkt) ? depth : depth + 1
            try parseAnyWellKnownValue(ordinal, typeName: typeName, depth: valueDepth, &out)
        } else {
            try parseObject(target, depth: depth, skipType: true, &out)
        }
        if out.count == mark + 1 {
            out.truncate(to: valueStart)  // empty `value` bytes are not written (proto3)
        } else {
            WireWriter.endLength(&out, at: mark)
        }
    }

    static func isWrapper(_ wkt: WellKnownType) -> Bool {
        switch wkt {
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            return true
        default:
            return false
        }
    }

    /// The members of an Any holding a well-known type: `@type` and `value`.
    private mutating func parseAnyWellKnownValue(_ ordinal: Int, typeName: String, depth: Int, _ out: inout WireWriter.Buffer) throws(TranscodeError) {
        reader.pos += 1  // "{", known non-empty
        var sawValue = false
        repeat {
            guard try reader.peek() == 0x22 else { throw reader.malformed("expected object key") }
            let key = try reader.scanString()
            try reader.expect(0x3A, "':'")
            if reader.equals(key, "@type") {
                try skipValue()
            } else if reader.equals(key, "value") {
                if sawValue { throw TranscodeError(.duplicateField, path: "value", "field given more than once") }
                sawValue = true
                do throws(TranscodeError) {
                    try parseMessage(ordinal, depth: depth, &out)
                } catch {
                    throw error.prefixed(field: "value")
                }
            } else if ignoreUnknownFields {
                try skipValue()
            } else {
                let name = reader.string(key)
                throw TranscodeError(.unknownField, path: name, "unknown field \"\(name)\" in google.protobuf.Any holding \(typeName)")
            }
        } while try reader.nextMember(close: 0x7D)
        guard sawValue else { throw invalid("missing \"value\" in google.protobuf.Any holding \(typeName)") }
    }
}
