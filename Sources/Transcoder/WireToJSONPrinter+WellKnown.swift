import DescriptorLoader

/// The special JSON forms of the google.protobuf well-known types.
extension WireToJSONPrinter {
    func printWellKnown(
        _ type: WellKnownType, _ plan: WireToJSONMessagePlan, _ reader: WireReader, depth: Int, into out: inout JSONOutput
    ) throws(Failure) {
        switch type {
        case .any:
            try printAny(reader, depth: depth, into: &out)
        case .timestamp, .duration:
            let (seconds, nanos) = try readSecondsAndNanos(reader, depth: depth)
            let problem =
                type == .timestamp
                ? TimestampFormat.appendTimestamp(seconds: seconds, nanos: nanos, into: &out)
                : TimestampFormat.appendDuration(seconds: seconds, nanos: nanos, into: &out)
            if let problem { throw Failure(.unrepresentable, problem, offset: reader.position) }
        case .fieldMask:
            try printFieldMask(reader, depth: depth, into: &out)
        case .struct:
            if try !printFieldValue(plan, slot: plan.slot(for: 1), reader, depth: depth, into: &out) {
                out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            }
        case .listValue:
            if try !printFieldValue(plan, slot: plan.slot(for: 1), reader, depth: depth, into: &out) {
                out.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
            }
        case .value:
            try printValue(plan, reader, depth: depth, into: &out)
        case .empty:
            out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            let slot = plan.slot(for: 1)
            guard slot >= 0 else { throw Failure(.unrepresentable, "\(plan.fullName) has no field 1") }
            if try !printFieldValue(plan, slot: slot, reader, depth: depth, into: &out) {
                printDefaultScalar(plan.fields[slot], into: &out)
            }
        }
    }

    /// Timestamp and Duration: `int64 seconds = 1; int32 nanos = 2;`, last ones win.
    func readSecondsAndNanos(_ reader: WireReader, depth: Int) throws(Failure) -> (Int64, Int32) {
        var r = reader
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        while !r.isAtEnd {
            let tagStart = r.position
            let tag = try r.readTag()
            if tag.wireType == 4 { throw .malformed("unexpected end-group tag", at: tagStart) }
            if tag.wireType == 0 && (tag.number == 1 || tag.number == 2) {
                let v = try r.readVarint()
                if tag.number == 1 { seconds = Int64(bitPattern: v) } else { nanos = Int32(truncatingIfNeeded: v) }
            } else {
                try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
            }
        }
        return (seconds, nanos)
    }

    /// `{"@type": url, …fields}`, or `{"@type": url, "value": <special form>}`
    /// for a well-known type; the type is the URL's last `/` segment.
    func printAny(_ reader: WireReader, depth: Int, into out: inout JSONOutput) throws(Failure) {
        var r = reader
        var url = 0..<0
        var value = 0..<0
        while !r.isAtEnd {
            let tagStart = r.position
            let tag = try r.readTag()
            if tag.wireType == 4 { throw .malformed("unexpected end-group tag", at: tagStart) }
            let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
            if tag.wireType == 2 && tag.number == 1 { url = range }
            if tag.wireType == 2 && tag.number == 2 { value = range }
        }
        if url.isEmpty {
            guard value.isEmpty else {
                throw Failure(.unrepresentable, "Any has a value but no type URL", offset: reader.position)
            }
            out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            return
        }
        let urlBytes = UnsafeRawBufferPointer(start: reader.base + url.lowerBound, count: url.count)
        guard JSONWriter.isValidUTF8(reader.base + url.lowerBound, count: url.count) else {
            throw Failure(.invalidUTF8, "Any type URL is not valid UTF-8", offset: url.lowerBound)
        }
        let nameStart = (urlBytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        let typeName = String(decoding: urlBytes[nameStart...], as: UTF8.self)
        guard let ordinal = ordinalsByName[typeName] else {
            throw Failure(
                .unrepresentable, "Any type \(String(decoding: urlBytes, as: UTF8.self)) is not in the schema",
                offset: url.lowerBound)
        }
        out.append(contentsOf: Self.typeKey)
        try appendString(reader.base, url, into: &out)
        let inner = plans[ordinal]
        let content = WireReader(base: reader.base, position: value.lowerBound, end: value.upperBound)
        guard depth + 1 <= options.maxDepth else {
            throw Failure(.tooDeep, "messages nested deeper than \(options.maxDepth)", offset: value.lowerBound)
        }
        do throws(WireToJSONFailure) {
            if let wellKnown = inner.wellKnown, wellKnown != .empty {
                out.append(contentsOf: Self.valueKey)
                do throws(WireToJSONFailure) {
                    try printMessage(ordinal, content, depth: depth + 1, into: &out)
                } catch {
                    throw error.adding(.field("value"))
                }
            } else {
                var first = false
                try printFields(inner, content, depth: depth + 1, first: &first, into: &out)
            }
        } catch where error.kind == .malformedWire || error.kind == .invalidUTF8 {
            // The Any itself was read fine; its `value` bytes are only parsed to
            // print them, so bytes that are not a valid `typeName` make the Any
            // unprintable, not the input unreadable.
            throw error.retyped(
                .unrepresentable, "Any value is not a valid \(typeName): \(error.message)")
        }
        out.append(UInt8(ascii: "}"))
    }

    static let typeKey: [UInt8] = Array("{\"@type\":".utf8)
    static let valueKey: [UInt8] = Array(",\"value\":".utf8)

    /// `"a.fooBar,b"`: each path's snake_case in lowerCamel, comma-joined. A
    /// path that would not read back the same (upper case, `_` not followed by
    /// a lower-case letter) is refused, as protobuf's printers do.
    func printFieldMask(_ reader: WireReader, depth: Int, into out: inout JSONOutput) throws(Failure) {
        var r = reader
        var count = 0
        out.append(UInt8(ascii: "\""))
        while !r.isAtEnd {
            let tagStart = r.position
            let tag = try r.readTag()
            if tag.wireType == 4 { throw .malformed("unexpected end-group tag", at: tagStart) }
            let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
            guard tag.number == 1, tag.wireType == 2 else { continue }
            guard JSONWriter.isValidUTF8(reader.base + range.lowerBound, count: range.count) else {
                throw Failure(.invalidUTF8, "FieldMask path is not valid UTF-8", offset: range.lowerBound)
            }
            if count > 0 { out.append(UInt8(ascii: ",")) }
            count += 1
            var afterUnderscore = false
            for i in range {
                let b = reader.base.load(fromByteOffset: i, as: UInt8.self)
                let path = { String(decoding: UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count), as: UTF8.self) }
                if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") {
                    throw Failure(.unrepresentable, "FieldMask path \(path()) must not contain upper-case letters", offset: range.lowerBound)
                }
                if afterUnderscore {
                    guard b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") else {
                        throw Failure(
                            .unrepresentable, "FieldMask path \(path()): the character after \"_\" must be a lower-case letter",
                            offset: range.lowerBound)
                    }
                    out.append(b - 32)
                    afterUnderscore = false
                } else if b == UInt8(ascii: "_") {
                    afterUnderscore = true
                } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 {
                    let escaped = JSONOutput.collect { (quoted: inout JSONOutput) in
                        _ = withUnsafeBytes(of: b) { JSONWriter.appendQuoted($0.baseAddress!, count: 1, into: &quoted) }
                    }
                    out.append(contentsOf: escaped.dropFirst().dropLast())
                } else {
                    out.append(b)
                }
            }
            if afterUnderscore {
                throw Failure(
                    .unrepresentable,
                    "FieldMask path \(String(decoding: UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count), as: UTF8.self)) ends in \"_\"",
                    offset: range.lowerBound)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A Value prints its `kind`: null, number, string, bool, Struct or
    /// ListValue; no kind set prints `null`. NaN and infinities cannot be
    /// numbers in JSON (they would read back as strings), so they are refused.
    func printValue(_ plan: WireToJSONMessagePlan, _ reader: WireReader, depth: Int, into out: inout JSONOutput) throws(Failure) {
        let printed = try withResolvedRuns(plan, reader, depth: depth) {
            (runs: UnsafeMutableBufferPointer<Run>) throws(Failure) -> Bool in
            // After oneof resolution only the winning kind's runs are left.
            guard runs.count > 0, runs[0].slot != Run.dropped else { return false }
            var j = 1
            while j < runs.count, runs[j].slot == runs[0].slot { j += 1 }
            let field = plan.fields[Int(runs[0].slot)]
            let group = UnsafeMutableBufferPointer(rebasing: runs[0..<j])
            if field.number == 1 {
                out.append(contentsOf: Self.nullBytes)
                return true
            }
            if field.number == 2 {
                var last = 0.0
                for run in group {
                    var r = WireReader(base: reader.base, position: Int(run.start), end: Int(run.end))
                    while !r.isAtEnd {
                        let tag = try r.readTag()
                        if tag.number == 2 && tag.wireType == 1 {
                            last = Double(bitPattern: try r.readFixed64())
                        } else {
                            try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                        }
                    }
                }
                guard last.isFinite else {
                    throw Failure(
                        .unrepresentable, "Value.number_value \(last) cannot be printed as a JSON number",
                        offset: Int(group[0].start))
                }
                NumberFormat.appendDouble(last, into: &out)
                return true
            }
            return try printSingular(field, reader, group, depth: depth, key: nil, first: nil, into: &out)
        }
        if !printed { out.append(contentsOf: Self.nullBytes) }
    }
}
