import DescriptorLoader

/// Scalar values: numbers, bools, strings, bytes and enums.
extension JSONToWireParser {
    /// Reads one scalar and appends it, with its tag when `tagged`. With
    /// `elideDefault`, a zero/empty value writes nothing (proto3 implicit presence).
    /// Returns false when nothing was written because an unknown enum name was ignored.
    @inline(__always)
    mutating func parseScalar(
        _ field: JSONToWireFieldPlan, elideDefault: Bool, tagged: Bool, _ out: inout WireWriter.Buffer
    ) throws(TranscodeError) -> Bool {
        switch field.type {
        case .string:
            guard try reader.peek() == 0x22 else { throw expected("string") }
            let token = try reader.scanString()
            if elideDefault && token.count == 0 { return true }
            if tagged { WireWriter.tag(field.tag, &out) }
            writeStringPayload(token, &out)
        case .bool:
            let b = try reader.peek()
            let value: Bool
            if b == 0x74 {
                try reader.literal("true")
                value = true
            } else if b == 0x66 {
                try reader.literal("false")
                value = false
            } else {
                throw expected("bool")
            }
            if elideDefault && !value { return true }
            if tagged { WireWriter.tag(field.tag, &out) }
            out.append(value ? 1 : 0)
        case .double:
            let value = try readDouble(field.type)
            if elideDefault && value.bitPattern == 0 { return true }
            if tagged { WireWriter.tag(field.tag, &out) }
            WireWriter.fixed64(value.bitPattern, &out)
        case .float:
            let value = Float(try readDouble(field.type))
            if elideDefault && value.bitPattern == 0 { return true }
            if tagged { WireWriter.tag(field.tag, &out) }
            WireWriter.fixed32(value.bitPattern, &out)
        case .bytes:
            guard try reader.peek() == 0x22 else { throw expected("base64 bytes") }
            let token = try reader.scanString()
            if elideDefault && token.count == 0 { return true }
            let start = out.count
            if tagged { WireWriter.tag(field.tag, &out) }
            let mark = WireWriter.beginLength(&out)
            if !decodeBase64(token, &out) {
                throw TranscodeError(.invalidValue, "expected base64 bytes, got \"\(reader.string(token))\"")
            }
            if elideDefault && out.count == mark + 1 {
                out.truncate(to: start)
                return true
            }
            WireWriter.endLength(&out, at: mark)
        case .enum:
            guard let value = try readEnum(field) else { return false }
            if elideDefault && value == 0 { return true }
            if tagged { WireWriter.tag(field.tag, &out) }
            WireWriter.varint(UInt64(bitPattern: Int64(value)), &out)
        case .message, .group:
            throw invalid("message value where a scalar was expected")
        default:
            let value = try readInteger(field.type)
            if elideDefault && value.magnitude == 0 { return true }
            if tagged { WireWriter.tag(field.tag, &out) }
            writeInteger(value, field.type, &out)
        }
        return true
    }

    @inline(__always)
    func writeStringPayload(_ token: JSONReaderStringToken, _ out: inout WireWriter.Buffer) {
        if !token.escaped {
            WireWriter.varint(UInt64(token.count), &out)
            out.append(contentsOf: UnsafeBufferPointer(start: reader.base + token.start, count: token.count))
            return
        }
        let mark = WireWriter.beginLength(&out)
        reader.decode(token, into: &out)
        WireWriter.endLength(&out, at: mark)
    }

    mutating func decodeBase64(_ token: JSONReaderStringToken, _ out: inout WireWriter.Buffer) -> Bool {
        if !token.escaped {
            return JSONReaderBase64.decode(reader.base + token.start, count: token.count, into: &out)
        }
        scratch.removeAll(keepingCapacity: true)
        reader.decode(token, into: &scratch)
        return scratch.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress else { return true }
            return JSONReaderBase64.decode(p, count: b.count, into: &out)
        }
    }

    // MARK: integers

    /// An integer field's value: a JSON number or a string holding one, integral and in range.
    mutating func readInteger(_ type: FieldType) throws(TranscodeError) -> JSONReaderNumbers.Integer {
        let b = try reader.peek()
        if b == 0x22 {
            return try integerFromString(try reader.scanString(), type)
        }
        guard b == 0x2D || (b >= 0x30 && b <= 0x39) else { throw expected(type.protoName) }
        let start = reader.pos
        let token = try reader.scanNumber()
        return try checkedInteger(reader.base, token.start, token.end, integral: token.integral, type, from: start)
    }

    /// An integer written as a JSON string (also every integer map key).
    mutating func integerFromString(_ token: JSONReaderStringToken, _ type: FieldType) throws(TranscodeError) -> JSONReaderNumbers.Integer {
        if token.escaped {
            scratch.removeAll(keepingCapacity: true)
            reader.decode(token, into: &scratch)
            let text = "\"\(reader.string(token))\""
            let result = scratch.withUnsafeBufferPointer { b -> Result<JSONReaderNumbers.Integer, TranscodeError> in
                guard let p = b.baseAddress, let (stop, integral) = JSONReader.numberEnd(p, from: 0, to: b.count), stop == b.count
                else { return .failure(expected(type.protoName, got: text)) }
                do throws(TranscodeError) {
                    return .success(try checkedInteger(p, 0, b.count, integral: integral, type, text: text))
                } catch {
                    return .failure(error)
                }
            }
            return try result.get()
        }
        guard let (stop, integral) = JSONReader.numberEnd(reader.base, from: token.start, to: token.end), stop == token.end else {
            throw expected(type.protoName, got: "\"\(reader.string(token))\"")
        }
        return try checkedInteger(reader.base, token.start, token.end, integral: integral, type, from: token.start - 1)
    }

    func checkedInteger(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, integral: Bool, _ type: FieldType,
        from: Int = 0, text: String? = nil
    ) throws(TranscodeError) -> JSONReaderNumbers.Integer {
        let value: JSONReaderNumbers.Integer
        do throws(JSONReaderNumbers.IntegerFailure) {
            value = try JSONReaderNumbers.integer(p, start, end, integral: integral)
        } catch .notInteger {
            throw expected(type.protoName, got: text ?? reader.snippet(from: from))
        } catch {
            throw outOfRange(type, text ?? reader.snippet(from: from))
        }
        let ok: Bool
        switch type {
        case .int32, .sint32, .sfixed32:
            ok = value.negative ? value.magnitude <= 0x8000_0000 : value.magnitude <= 0x7FFF_FFFF
        case .uint32, .fixed32:
            ok = value.negative ? value.magnitude == 0 : value.magnitude <= 0xFFFF_FFFF
        case .int64, .sint64, .sfixed64:
            ok = value.negative ? value.magnitude <= 0x8000_0000_0000_0000 : value.magnitude <= 0x7FFF_FFFF_FFFF_FFFF
        default:
            ok = !value.negative || value.magnitude == 0
        }
        guard ok else { throw outOfRange(type, text ?? reader.snippet(from: from)) }
        return value
    }

    /// Appends a range-checked integer in the encoding of `type`.
    @inline(__always)
    func writeInteger(_ value: JSONReaderNumbers.Integer, _ type: FieldType, _ out: inout WireWriter.Buffer) {
        let bits = value.negative ? 0 &- value.magnitude : value.magnitude
        switch type {
        case .int32, .int64, .uint32, .uint64:
            WireWriter.varint(bits, &out)
        case .sint32:
            WireWriter.varint(WireWriter.zigZag32(Int32(truncatingIfNeeded: bits)), &out)
        case .sint64:
            WireWriter.varint(WireWriter.zigZag64(Int64(bitPattern: bits)), &out)
        case .fixed32, .sfixed32:
            WireWriter.fixed32(UInt32(truncatingIfNeeded: bits), &out)
        default:
            WireWriter.fixed64(bits, &out)
        }
    }

    // MARK: floating point

    /// A float/double field's value: a finite JSON number, a string holding
    /// one, or "NaN", "Infinity", "-Infinity". Float values must fit float32.
    mutating func readDouble(_ type: FieldType) throws(TranscodeError) -> Double {
        let b = try reader.peek()
        let start = reader.pos
        let value: Double
        if b == 0x22 {
            let token = try reader.scanString()
            if reader.equals(token, "NaN") { return .nan }
            if reader.equals(token, "Infinity") { return .infinity }
            if reader.equals(token, "-Infinity") { return -.infinity }
            guard !token.escaped, let (stop, _) = JSONReader.numberEnd(reader.base, from: token.start, to: token.end),
                stop == token.end
            else { throw expected(type.protoName, got: reader.snippet(from: start)) }
            value = JSONReaderNumbers.double(reader.base, token.start, token.end)
        } else {
            guard b == 0x2D || (b >= 0x30 && b <= 0x39) else { throw expected(type.protoName) }
            let token = try reader.scanNumber()
            value = JSONReaderNumbers.double(reader.base, token.start, token.end)
        }
        guard value.isFinite else { throw outOfRange(type, reader.snippet(from: start)) }
        // A float is in range when it rounds to a finite float32 (IEEE round to
        // nearest): `3.4028235e+38`, which printers emit for FLT_MAX, is above
        // FLT_MAX as a decimal yet rounds to it.
        if type == .float && Float(value).isInfinite {
            throw outOfRange(type, reader.snippet(from: start))
        }
        return value
    }

    // MARK: enums

    /// An enum by name or number; nil when an unknown name is ignored.
    mutating func readEnum(_ field: JSONToWireFieldPlan) throws(TranscodeError) -> Int32? {
        guard field.enumIndex >= 0 else { throw invalid("unresolved enum type") }
        let plan = enums[field.enumIndex]
        let b = try reader.peek()
        let start = reader.pos
        let number: Int32
        if b == 0x22 {
            let token = try reader.scanString()
            if let n = lookup(token, in: plan.names) { return n }
            // A decimal number in a string is accepted too.
            guard let (stop, integral) = JSONReader.numberEnd(reader.base, from: token.start, to: token.end),
                stop == token.end, integral, !token.escaped
            else {
                if ignoreUnknownFields { return nil }
                throw TranscodeError(.invalidValue, "unknown value \(reader.snippet(from: start)) for enum \(plan.fullName)")
            }
            number = Int32(truncatingIfNeeded: try checkedIntegerValue(token.start, token.end, integral: true, from: start))
        } else if b == 0x2D || (b >= 0x30 && b <= 0x39) {
            let token = try reader.scanNumber()
            number = Int32(truncatingIfNeeded: try checkedIntegerValue(token.start, token.end, integral: token.integral, from: start))
        } else {
            throw expected("enum \(plan.fullName)")
        }
        if plan.isClosed && !plan.numbers.contains(number) {
            throw TranscodeError(.invalidValue, "unknown number \(number) for closed enum \(plan.fullName)")
        }
        return number
    }

    private func checkedIntegerValue(_ start: Int, _ end: Int, integral: Bool, from: Int) throws(TranscodeError) -> Int64 {
        let v = try checkedInteger(reader.base, start, end, integral: integral, .int32, from: from)
        return v.negative ? -Int64(v.magnitude) : Int64(v.magnitude)
    }

    // MARK: errors

    /// `expected int32, got "abc"`, rendering the value at the reader's position.
    func expected(_ what: String, got: String? = nil) -> TranscodeError {
        TranscodeError(.invalidValue, "expected \(what), got \(got ?? reader.snippet(from: reader.pos))")
    }

    func outOfRange(_ type: FieldType, _ text: String) -> TranscodeError {
        TranscodeError(.outOfRange, "value out of range for \(type.protoName): \(text)")
    }
}
