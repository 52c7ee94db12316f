#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DescriptorLoader

extension WireToJSONPrinter {
    typealias MapEntry = WireToJSONMapEntry

    /// Prints `{…}` for a map field: later entries with an equal key win.
    func printMap(
        _ field: FieldPlan, _ reader: WireReader, _ runs: UnsafeMutableBufferPointer<Run>, depth: Int,
        into out: inout JSONOutput
    ) throws(Failure) {
        let entryPlan = plans[field.messageOrdinal]
        guard depth < options.maxDepth else {
            throw Failure(.tooDeep, "messages nested deeper than \(options.maxDepth)", offset: reader.position)
        }
        let keySlot = entryPlan.slot(for: 1)
        let valueSlot = entryPlan.slot(for: 2)
        guard keySlot >= 0, valueSlot >= 0 else {
            throw Failure(.unrepresentable, "map entry \(entryPlan.fullName) lacks key or value", offset: reader.position)
        }
        let keyField = entryPlan.fields[keySlot]
        let valueField = entryPlan.fields[valueSlot]

        var count = 0
        for run in runs {
            var r = WireReader(base: reader.base, position: Int(run.start), end: Int(run.end))
            while !r.isAtEnd {
                let tag = try r.readTag()
                try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                if tag.number == field.number && tag.wireType == 2 { count += 1 }
            }
        }
        out.append(UInt8(ascii: "{"))
        try withUnsafeTemporaryAllocation(of: MapEntry.self, capacity: count) {
            (entries: UnsafeMutableBufferPointer<MapEntry>) throws(Failure) in
            var n = 0
            for run in runs {
                var r = WireReader(base: reader.base, position: Int(run.start), end: Int(run.end))
                while !r.isAtEnd {
                    let tag = try r.readTag()
                    let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                    guard tag.number == field.number, tag.wireType == 2 else { continue }
                    do throws(WireToJSONFailure) {
                        let entry = try parseEntry(reader.base, range, keyField: keyField, valueField: valueField, depth: depth + 1)
                        (entries.baseAddress! + n).initialize(to: entry)
                        n += 1
                    } catch {
                        throw error.adding(.index(n))
                    }
                }
            }
            defer { entries.baseAddress!.deinitialize(count: n) }
            if n > 1 { markDuplicateKeys(UnsafeMutableBufferPointer(rebasing: entries[0..<n]), reader.base, keyField) }
            var first = true
            for k in 0..<n where !entries[k].dropped {
                let entry = entries[k]
                if first { first = false } else { out.append(UInt8(ascii: ",")) }
                try printMapKey(entry, reader.base, keyField, into: &out)
                out.append(UInt8(ascii: ":"))
                do throws(WireToJSONFailure) {
                    try printMapValue(entry, reader.base, valueField, depth: depth, into: &out)
                } catch {
                    throw error.adding(.key(keyDescription(entry, reader.base, keyField)))
                }
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Reads an entry's key (field 1) and value (field 2); last ones win and
    /// values with the wrong wire type are unknown fields, as in protobuf.
    func parseEntry(
        _ base: UnsafeRawPointer, _ range: Range<Int>, keyField: FieldPlan, valueField: FieldPlan, depth: Int
    ) throws(Failure) -> MapEntry {
        var entry = MapEntry(entryStart: range.lowerBound, entryEnd: range.upperBound)
        var r = WireReader(base: base, position: range.lowerBound, end: range.upperBound)
        var keyPosition = -1
        while !r.isAtEnd {
            let tagStart = r.position
            let tag = try r.readTag()
            if tag.wireType == 4 { throw .malformed("unexpected end-group tag in map entry", at: tagStart) }
            let valueStart = r.position
            let value = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
            if tag.number == 1, tag.wireType == keyField.wireType {
                keyPosition = valueStart
                entry.keyStart = value.lowerBound
                entry.keyEnd = value.upperBound
            } else if tag.number == 2, tag.wireType == valueField.wireType {
                let isMessage = valueField.type == .message || valueField.type == .group
                entry.valueStart = isMessage ? value.lowerBound : valueStart
                entry.valueEnd = isMessage ? value.upperBound : r.position
                entry.valueCount += 1
            }
        }
        if keyPosition >= 0 {
            var k = WireReader(base: base, position: keyPosition, end: range.upperBound)
            entry.keyBits = try Self.normalizedKey(keyField.type, &k)
        }
        if keyField.type == .string {
            let bytes = UnsafeRawBufferPointer(start: base + entry.keyStart, count: entry.keyEnd - entry.keyStart)
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
            entry.keyBits = hash
        }
        if valueField.enumIndex >= 0, enums[valueField.enumIndex].isClosed, entry.valueCount > 0 {
            // An unknown closed-enum value sends the whole entry to unknown fields.
            var v = WireReader(base: base, position: entry.valueStart, end: entry.valueEnd)
            if !enums[valueField.enumIndex].isKnown(Int32(truncatingIfNeeded: try v.readVarint())) { entry.dropped = true }
        }
        return entry
    }

    /// A key's value in a canonical 64-bit form (sign-extended for signed kinds).
    static func normalizedKey(_ type: FieldType, _ r: inout WireReader) throws(Failure) -> UInt64 {
        switch type {
        case .int32:
            return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: try r.readVarint())))
        case .uint32:
            return UInt64(UInt32(truncatingIfNeeded: try r.readVarint()))
        case .sint32:
            let u = UInt32(truncatingIfNeeded: try r.readVarint())
            return UInt64(bitPattern: Int64(Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))))
        case .sint64:
            let u = try r.readVarint()
            return (u >> 1) ^ (0 &- (u & 1))
        case .bool:
            return try r.readVarint() != 0 ? 1 : 0
        case .int64, .uint64:
            return try r.readVarint()
        case .fixed32:
            return UInt64(try r.readFixed32())
        case .sfixed32:
            return UInt64(bitPattern: Int64(Int32(bitPattern: try r.readFixed32())))
        case .fixed64, .sfixed64:
            return try r.readFixed64()
        default:
            return 0
        }
    }

    /// Marks every entry whose key appears again later (the later one wins).
    func markDuplicateKeys(_ entries: UnsafeMutableBufferPointer<MapEntry>, _ base: UnsafeRawPointer, _ keyField: FieldPlan) {
        withUnsafeTemporaryAllocation(of: (UInt64, Int).self, capacity: entries.count) { order in
            for k in 0..<entries.count { (order.baseAddress! + k).initialize(to: (entries[k].keyBits, k)) }
            var sortable = order
            sortable.sort { $0 < $1 }
            var k = 0
            while k < order.count {
                var j = k + 1
                while j < order.count, order[j].0 == order[k].0 { j += 1 }
                if j - k > 1 {
                    for a in k..<j {
                        for b in (a + 1)..<j where sameKey(entries[order[a].1], entries[order[b].1], base, keyField) {
                            entries[order[a].1].dropped = true
                            break
                        }
                    }
                }
                k = j
            }
        }
    }

    private func sameKey(_ a: MapEntry, _ b: MapEntry, _ base: UnsafeRawPointer, _ keyField: FieldPlan) -> Bool {
        guard keyField.type == .string else { return a.keyBits == b.keyBits }
        let lengthA = a.keyEnd - a.keyStart
        guard lengthA == b.keyEnd - b.keyStart else { return false }
        return lengthA == 0 || memcmp(base + a.keyStart, base + b.keyStart, lengthA) == 0
    }

    /// Map keys are always JSON strings.
    func printMapKey(_ entry: MapEntry, _ base: UnsafeRawPointer, _ keyField: FieldPlan, into out: inout JSONOutput) throws(Failure) {
        switch keyField.type {
        case .string:
            do throws(WireToJSONFailure) {
                try appendString(base, entry.keyStart..<entry.keyEnd, into: &out)
            } catch {
                throw error.adding(.key("?"))
            }
        case .bool:
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: entry.keyBits != 0 ? Self.trueBytes : Self.falseBytes)
            out.append(UInt8(ascii: "\""))
        case .uint32, .uint64, .fixed32, .fixed64:
            NumberFormat.appendQuotedUInt64(entry.keyBits, into: &out)
        default:
            NumberFormat.appendQuotedInt64(Int64(bitPattern: entry.keyBits), into: &out)
        }
    }

    func keyDescription(_ entry: MapEntry, _ base: UnsafeRawPointer, _ keyField: FieldPlan) -> String {
        if keyField.type == .string {
            return String(decoding: UnsafeRawBufferPointer(start: base + entry.keyStart, count: entry.keyEnd - entry.keyStart), as: UTF8.self)
        }
        let text = JSONOutput.collect { (out: inout JSONOutput) in try? printMapKey(entry, base, keyField, into: &out) }
        return String(decoding: text.dropFirst().dropLast(), as: UTF8.self)
    }

    func printMapValue(
        _ entry: MapEntry, _ base: UnsafeRawPointer, _ valueField: FieldPlan, depth: Int, into out: inout JSONOutput
    ) throws(Failure) {
        let isMessage = valueField.type == .message || valueField.type == .group
        if isMessage {
            if entry.valueCount <= 1 {
                // An absent value is the empty message: `{}`, or a WKT's default form.
                let reader = WireReader(base: base, position: entry.valueStart, end: entry.valueCount == 0 ? entry.valueStart : entry.valueEnd)
                try printMessage(valueField.messageOrdinal, reader, depth: depth + 1, into: &out)
            } else {
                var merged: [UInt8] = []
                var r = WireReader(base: base, position: entry.entryStart, end: entry.entryEnd)
                while !r.isAtEnd {
                    let tag = try r.readTag()
                    let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                    if tag.number == 2, tag.wireType == 2 {
                        merged.append(contentsOf: UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
                    }
                }
                try printMessage(bytes: merged, valueField.messageOrdinal, depth: depth + 1, into: &out)
            }
        } else if entry.valueCount == 0 {
            printDefaultScalar(valueField, into: &out)
        } else {
            var r = WireReader(base: base, position: entry.valueStart, end: entry.valueEnd)
            try printScalar(valueField, &r, into: &out)
        }
    }
}
