import DescriptorLoader

/// The one-pass printer behind ``WireToJSON``: reads wire bytes through
/// compiled plans and appends ProtoJSON. A value type made per call; it
/// borrows the immutable plans.
///
/// Each message is pre-scanned once for its own top-level tags (runs of one
/// field, kept in a stack buffer) so that output follows field-number order
/// with protobuf's last-one-wins, oneof and merge rules; in the common case
/// (fields in order, no duplicates) the runs are printed as they came.
struct WireToJSONPrinter {
    typealias Failure = WireToJSONFailure
    typealias FieldPlan = WireToJSONFieldPlan
    typealias Run = WireToJSONRun

    let plans: UnsafeBufferPointer<WireToJSONMessagePlan>
    let enums: UnsafeBufferPointer<WireToJSONEnumPlan>
    let ordinalsByName: [String: Int]
    let options: JSONPrintOptions

    static let stackRuns = 48

    // MARK: Messages

    /// Prints one message (its special form for well-known types).
    func printMessage(_ ordinal: Int, _ reader: WireReader, depth: Int, into out: inout JSONOutput) throws(Failure) {
        guard depth <= options.maxDepth else {
            throw Failure(.tooDeep, "messages nested deeper than \(options.maxDepth)", offset: reader.position)
        }
        let plan = plans[ordinal]
        if let wellKnown = plan.wellKnown, wellKnown != .empty {
            try printWellKnown(wellKnown, plan, reader, depth: depth, into: &out)
            return
        }
        out.append(UInt8(ascii: "{"))
        var first = true
        try printFields(plan, reader, depth: depth, first: &first, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Prints the members of a message (without braces), in field-number order.
    func printFields(
        _ plan: WireToJSONMessagePlan, _ reader: WireReader, depth: Int, first: inout Bool, into out: inout JSONOutput
    ) throws(Failure) {
        try withResolvedRuns(plan, reader, depth: depth) { (runs: UnsafeMutableBufferPointer<Run>) throws(Failure) in
            let fields = plan.fields
            var nextSlot = 0
            var i = 0
            while i < runs.count, runs[i].slot != Run.dropped {
                let slot = Int(runs[i].slot)
                var j = i + 1
                while j < runs.count, runs[j].slot == runs[i].slot { j += 1 }
                if options.emitUnpopulated {
                    while nextSlot < slot {
                        printDefaultMember(fields[nextSlot], first: &first, into: &out)
                        nextSlot += 1
                    }
                }
                let field = fields[slot]
                do throws(WireToJSONFailure) {
                    try printMember(field, reader, UnsafeMutableBufferPointer(rebasing: runs[i..<j]), depth: depth, first: &first, into: &out)
                } catch {
                    throw error.adding(.field(options.useProtoNames ? field.protoName : field.jsonName))
                }
                nextSlot = slot + 1
                i = j
            }
            if options.emitUnpopulated {
                while nextSlot < fields.count {
                    printDefaultMember(fields[nextSlot], first: &first, into: &out)
                    nextSlot += 1
                }
            }
        }
    }

    /// Prints just the JSON value of one field (`response_body`, wrappers,
    /// Struct, ListValue). Returns false when the field is absent.
    ///
    /// `namesField`: whether an error path names the field (not for the
    /// inner fields of well-known types, whose JSON hides them).
    func printFieldValue(
        _ plan: WireToJSONMessagePlan, slot: Int, _ reader: WireReader, depth: Int, namesField: Bool = false,
        into out: inout JSONOutput
    ) throws(Failure) -> Bool {
        try withResolvedRuns(plan, reader, depth: depth) { (runs: UnsafeMutableBufferPointer<Run>) throws(Failure) -> Bool in
            var i = 0
            while i < runs.count, runs[i].slot != Run.dropped, runs[i].slot != Int32(slot) { i += 1 }
            guard i < runs.count, runs[i].slot == Int32(slot) else { return false }
            var j = i + 1
            while j < runs.count, runs[j].slot == Int32(slot) { j += 1 }
            let field = plan.fields[slot]
            let group = UnsafeMutableBufferPointer(rebasing: runs[i..<j])
            do throws(WireToJSONFailure) {
                switch field.shape {
                case .repeated:
                    _ = try printRepeated(field, reader, group, depth: depth, into: &out)
                    return true
                case .map:
                    try printMap(field, reader, group, depth: depth, into: &out)
                    return true
                case .singular:
                    return try printSingular(field, reader, group, depth: depth, key: nil, first: nil, into: &out)
                }
            } catch {
                throw namesField ? error.adding(.field(options.useProtoNames ? field.protoName : field.jsonName)) : error
            }
        }
    }

    // MARK: Pre-scan

    /// Scans a message's top-level tags into runs (on the stack when few),
    /// resolves oneofs and sorts by field number when needed, then calls `body`.
    @inline(__always)
    func withResolvedRuns<R>(
        _ plan: WireToJSONMessagePlan, _ reader: WireReader, depth: Int,
        _ body: (UnsafeMutableBufferPointer<Run>) throws(Failure) -> R
    ) throws(Failure) -> R {
        guard reader.end <= Int(Int32.max) else {
            throw Failure(.malformedWire, "message larger than 2 GiB", offset: reader.position)
        }
        return try withUnsafeTemporaryAllocation(of: Run.self, capacity: Self.stackRuns) {
            (stack: UnsafeMutableBufferPointer<Run>) throws(Failure) -> R in
            let (count, ordered) = try scan(plan, reader, into: stack, depth: depth)
            if count <= stack.count {
                let runs = UnsafeMutableBufferPointer(rebasing: stack[0..<count])
                if !ordered { resolve(plan, runs) }
                return try body(runs)
            }
            var heap = [Run](repeating: Run(slot: 0, start: 0, end: 0, count: 0), count: count)
            return try heap.withUnsafeMutableBufferPointer { (runs: inout UnsafeMutableBufferPointer<Run>) throws(Failure) -> R in
                _ = try scan(plan, reader, into: runs, depth: depth)
                if !ordered { resolve(plan, runs) }
                return try body(runs)
            }
        }
    }

    /// Records runs into `runs` (counting past its capacity) and validates the
    /// message's framing. `ordered`: slots strictly increase from run to run
    /// and no oneof has two members present.
    @inline(__always)
    func scan(
        _ plan: WireToJSONMessagePlan, _ reader: WireReader, into runs: UnsafeMutableBufferPointer<Run>, depth: Int
    ) throws(Failure) -> (count: Int, ordered: Bool) {
        var r = reader
        var count = 0
        var ordered = true
        var currentSlot = -1
        var oneofsSeen: UInt64 = 0
        let fields = plan.fields
        while !r.isAtEnd {
            let tagStart = r.position
            let tag = try r.readTag()
            if tag.wireType == 4 {
                throw .malformed("unexpected end-group tag for field \(tag.number)", at: tagStart)
            }
            let slot = plan.slot(for: tag.number)
            try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
            if slot >= 0, fields[slot].accepts(tag.wireType) {
                if slot == currentSlot {
                    if count <= runs.count {
                        runs[count - 1].end = Int32(truncatingIfNeeded: r.position)
                        runs[count - 1].count &+= 1
                    }
                    continue
                }
                if slot < currentSlot { ordered = false }
                let oneof = fields[slot].oneofIndex
                if oneof >= 0 {
                    if oneof >= 64 {
                        ordered = false
                    } else {
                        let bit: UInt64 = 1 << UInt64(oneof)
                        if oneofsSeen & bit != 0 { ordered = false }
                        oneofsSeen |= bit
                    }
                }
                if count < runs.count {
                    runs[count] = Run(
                        slot: Int32(slot), start: Int32(truncatingIfNeeded: tagStart), end: Int32(truncatingIfNeeded: r.position),
                        count: 1)
                }
                count += 1
                currentSlot = slot
            } else if count > 0, count <= runs.count {
                // Unknown fields ride along in the current run; printing skips them.
                runs[count - 1].end = Int32(truncatingIfNeeded: r.position)
            }
        }
        return (count, ordered)
    }

    /// Applies oneof last-one-wins (dropping earlier members, and earlier
    /// occurrences of the winner that a different member came between) and
    /// sorts runs by slot, keeping their order within a slot.
    func resolve(_ plan: WireToJSONMessagePlan, _ runs: UnsafeMutableBufferPointer<Run>) {
        if plan.oneofCount > 0 {
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: plan.oneofCount * 2) { state in
                // state[2o] = winning slot (-1 none), state[2o+1] = 1 once another member was seen.
                for k in 0..<state.count { state[k] = k % 2 == 0 ? -1 : 0 }
                var k = runs.count - 1
                while k >= 0 {
                    let oneof = plan.fields[Int(runs[k].slot)].oneofIndex
                    if oneof >= 0 {
                        if state[2 * oneof] == -1 {
                            state[2 * oneof] = runs[k].slot
                        } else if runs[k].slot != state[2 * oneof] {
                            state[2 * oneof + 1] = 1
                            runs[k].slot = Run.dropped
                        } else if state[2 * oneof + 1] == 1 {
                            runs[k].slot = Run.dropped
                        }
                    }
                    k -= 1
                }
            }
        }
        var sortable = runs
        sortable.sort { ($0.slot, $0.start) < ($1.slot, $1.start) }
    }

    // MARK: Members

    @inline(__always)
    func appendKey(_ field: FieldPlan, first: inout Bool, into out: inout JSONOutput) {
        if first {
            first = false
        } else {
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: options.useProtoNames ? field.protoKey : field.jsonKey)  // memcpy of the pre-rendered key
    }

    /// Prints `"key":value` for a present field.
    func printMember(
        _ field: FieldPlan, _ reader: WireReader, _ runs: UnsafeMutableBufferPointer<Run>, depth: Int,
        first: inout Bool, into out: inout JSONOutput
    ) throws(Failure) {
        switch field.shape {
        case .singular:
            _ = try printSingular(field, reader, runs, depth: depth, key: field, first: &first, into: &out)
        case .repeated:
            let mark = out.count
            let wasFirst = first
            appendKey(field, first: &first, into: &out)
            let printed = try printRepeated(field, reader, runs, depth: depth, into: &out)
            if printed == 0 && !options.emitUnpopulated {
                // e.g. an empty packed run, or only unknown values of a closed enum.
                out.removeSubrange(mark...)
                first = wasFirst
            }
        case .map:
            appendKey(field, first: &first, into: &out)
            try printMap(field, reader, runs, depth: depth, into: &out)
        }
    }

    /// Prints an absent field at its default (for `emitUnpopulated`): only
    /// fields without presence.
    func printDefaultMember(_ field: FieldPlan, first: inout Bool, into out: inout JSONOutput) {
        guard field.printsWhenUnpopulated else { return }
        appendKey(field, first: &first, into: &out)
        switch field.shape {
        case .repeated: out.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
        case .map: out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .singular: printDefaultScalar(field, into: &out)
        }
    }

    /// The default value of a scalar field (`0`, `"0"`, `false`, `""`, the enum's zero).
    func printDefaultScalar(_ field: FieldPlan, into out: inout JSONOutput) {
        switch field.type {
        case .int64, .uint64, .sint64, .fixed64, .sfixed64:
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "0"), UInt8(ascii: "\"")])
        case .bool:
            out.append(contentsOf: Self.falseBytes)
        case .string, .bytes:
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\"")])
        case .enum:
            printEnum(field, 0, into: &out)
        case .message, .group:
            out.append(contentsOf: Self.nullBytes)
        default:
            out.append(UInt8(ascii: "0"))
        }
    }

    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)
    static let nullBytes: [UInt8] = Array("null".utf8)

    // MARK: Singular

    /// Prints the value of a singular field (last one wins; message
    /// occurrences merge), preceded by its key when `key` is given. Returns
    /// false when nothing was printed (only unknown values of a closed enum).
    func printSingular(
        _ field: FieldPlan, _ reader: WireReader, _ runs: UnsafeMutableBufferPointer<Run>, depth: Int,
        key: FieldPlan?, first: UnsafeMutablePointer<Bool>?, into out: inout JSONOutput
    ) throws(Failure) -> Bool {
        let isMessage = field.type == .message || field.type == .group
        let closedEnum = field.enumIndex >= 0 && enums[field.enumIndex].isClosed
        if runs.count == 1 && runs[0].count == 1 && !closedEnum {
            // The common case: one occurrence, right at the start of the run.
            var r = WireReader(base: reader.base, position: Int(runs[0].start), end: Int(runs[0].end))
            let tag = try r.readTag()
            if isMessage {
                let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                if let key, let first { appendKey(key, first: &first.pointee, into: &out) }
                try printMessage(
                    field.messageOrdinal, WireReader(base: reader.base, position: range.lowerBound, end: range.upperBound),
                    depth: depth + 1, into: &out)
                return true
            }
            if !field.hasPresence, let key, let first, Self.isZeroValue(r, wireType: tag.wireType, type: field.type) {
                // A field without presence at its zero value counts as absent.
                if options.emitUnpopulated { printDefaultMember(key, first: &first.pointee, into: &out) }
                return options.emitUnpopulated
            }
            if let key, let first { appendKey(key, first: &first.pointee, into: &out) }
            try printScalar(field, &r, into: &out)
            return true
        }
        var occurrences = 0
        var lastValue = 0
        var lastValueEnd = 0
        var lastWireType: UInt8 = 0
        for run in runs {
            var r = WireReader(base: reader.base, position: Int(run.start), end: Int(run.end))
            while !r.isAtEnd {
                let tag = try r.readTag()
                let valueStart = r.position
                let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                guard tag.number == field.number, field.accepts(tag.wireType) else { continue }
                if closedEnum {
                    var v = WireReader(base: reader.base, position: valueStart, end: r.position)
                    guard enums[field.enumIndex].isKnown(Int32(truncatingIfNeeded: try v.readVarint())) else { continue }
                }
                occurrences += 1
                lastWireType = tag.wireType
                if isMessage {
                    lastValue = range.lowerBound
                    lastValueEnd = range.upperBound
                } else {
                    lastValue = valueStart
                    lastValueEnd = r.position
                }
            }
        }
        guard occurrences > 0 else { return false }
        if !isMessage && !field.hasPresence
            && Self.isZero(reader.base, lastValue..<lastValueEnd, wireType: lastWireType, type: field.type)
        {
            // A field without presence at its zero value counts as absent.
            if let key, let first {
                if options.emitUnpopulated { printDefaultMember(key, first: &first.pointee, into: &out) }
                return options.emitUnpopulated
            }
        }
        if let key, let first { appendKey(key, first: &first.pointee, into: &out) }
        if isMessage {
            if occurrences == 1 {
                try printMessage(
                    field.messageOrdinal, WireReader(base: reader.base, position: lastValue, end: lastValueEnd),
                    depth: depth + 1, into: &out)
            } else {
                try printMerged(field, reader, runs, depth: depth, into: &out)
            }
        } else {
            var r = WireReader(base: reader.base, position: lastValue, end: lastValueEnd)
            try printScalar(field, &r, into: &out)
        }
        return true
    }

    /// Whether the scalar value at `r` (validated by the pre-scan) is zero
    /// once read as `type`: a 32-bit kind (int32, uint32, sint32, enum) keeps
    /// only the low 32 bits of its varint, as protobuf parsers do, so a varint
    /// of 2^40 is an int32 0; a bool is false only for a varint of 0.
    @inline(__always)
    static func isZeroValue(_ r: WireReader, wireType: UInt8, type: FieldType) -> Bool {
        guard r.position < r.end else { return false }
        switch wireType {
        case 0, 2:
            // A zero varint, or a zero length prefix (possibly over-long).
            if r.byte(at: r.position) == 0 { return true }
            var copy = r
            guard let v = try? copy.readVarint() else { return false }
            return isZeroVarint(v, wireType: wireType, type: type)
        case 1:
            return r.end - r.position >= 8 && r.base.loadUnaligned(fromByteOffset: r.position, as: UInt64.self) == 0
        default:
            return r.end - r.position >= 4 && r.base.loadUnaligned(fromByteOffset: r.position, as: UInt32.self) == 0
        }
    }

    /// Whether an encoded scalar is zero as `type` (bitwise for fixed kinds, so
    /// -0.0 is not; "" and empty bytes are; 32-bit varint kinds by their low 32 bits).
    static func isZero(_ base: UnsafeRawPointer, _ range: Range<Int>, wireType: UInt8, type: FieldType) -> Bool {
        switch wireType {
        case 0, 2:
            // A varint, or a length prefix (the range starts there).
            var r = WireReader(base: base, position: range.lowerBound, end: range.upperBound)
            guard let v = try? r.readVarint() else { return false }
            return isZeroVarint(v, wireType: wireType, type: type)
        default:
            for i in range where base.load(fromByteOffset: i, as: UInt8.self) != 0 { return false }
            return true
        }
    }

    /// A varint value (or length prefix, wire type 2) read as `type` is zero.
    @inline(__always)
    static func isZeroVarint(_ v: UInt64, wireType: UInt8, type: FieldType) -> Bool {
        guard wireType == 0 else { return v == 0 }
        switch type {
        case .int32, .uint32, .sint32, .enum:
            return UInt32(truncatingIfNeeded: v) == 0
        default:
            return v == 0
        }
    }

    /// Several occurrences of a message field merge; protobuf defines that as
    /// parsing their concatenation, so print the concatenation (rare path).
    func printMerged(
        _ field: FieldPlan, _ reader: WireReader, _ runs: UnsafeMutableBufferPointer<Run>, depth: Int,
        into out: inout JSONOutput
    ) throws(Failure) {
        var merged: [UInt8] = []
        for run in runs {
            var r = WireReader(base: reader.base, position: Int(run.start), end: Int(run.end))
            while !r.isAtEnd {
                let tag = try r.readTag()
                let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                guard tag.number == field.number, field.accepts(tag.wireType) else { continue }
                merged.append(contentsOf: UnsafeRawBufferPointer(start: reader.base + range.lowerBound, count: range.count))
            }
        }
        try printMessage(bytes: merged, field.messageOrdinal, depth: depth + 1, into: &out)
    }

    /// Prints a message held in a separate buffer (merges, map values).
    func printMessage(bytes: [UInt8], _ ordinal: Int, depth: Int, into out: inout JSONOutput) throws(Failure) {
        let failure: Failure? = bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress ?? WireToJSON.emptyBase
            do throws(Failure) {
                try printMessage(ordinal, WireReader(base: base, position: 0, end: raw.count), depth: depth, into: &out)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    // MARK: Repeated

    /// Prints `[…]` with every element of every run (packed and unpacked
    /// alike); returns the number of elements printed.
    func printRepeated(
        _ field: FieldPlan, _ reader: WireReader, _ runs: UnsafeMutableBufferPointer<Run>, depth: Int,
        into out: inout JSONOutput
    ) throws(Failure) -> Int {
        out.append(UInt8(ascii: "["))
        var index = 0
        let closedEnum = field.enumIndex >= 0 && enums[field.enumIndex].isClosed
        let isMessage = field.type == .message || field.type == .group
        for run in runs {
            var r = WireReader(base: reader.base, position: Int(run.start), end: Int(run.end))
            while !r.isAtEnd {
                let tag = try r.readTag()
                let valueStart = r.position
                let range = try r.skipValue(number: tag.number, wireType: tag.wireType, depth: depth, maxDepth: options.maxDepth)
                guard tag.number == field.number, field.accepts(tag.wireType) else { continue }
                do throws(WireToJSONFailure) {
                    if isMessage {
                        if index > 0 { out.append(UInt8(ascii: ",")) }
                        try printMessage(
                            field.messageOrdinal, WireReader(base: reader.base, position: range.lowerBound, end: range.upperBound),
                            depth: depth + 1, into: &out)
                        index += 1
                    } else if tag.wireType == 2 && field.wireType != 2 {
                        var packed = WireReader(base: reader.base, position: range.lowerBound, end: range.upperBound)
                        while !packed.isAtEnd {
                            if closedEnum {
                                var peek = packed
                                let number = Int32(truncatingIfNeeded: try peek.readVarint())
                                if !enums[field.enumIndex].isKnown(number) {
                                    packed = peek
                                    continue
                                }
                            }
                            if index > 0 { out.append(UInt8(ascii: ",")) }
                            try printScalar(field, &packed, into: &out)
                            index += 1
                        }
                    } else {
                        var value = WireReader(base: reader.base, position: valueStart, end: r.position)
                        if closedEnum {
                            var peek = value
                            if !enums[field.enumIndex].isKnown(Int32(truncatingIfNeeded: try peek.readVarint())) { continue }
                        }
                        if index > 0 { out.append(UInt8(ascii: ",")) }
                        try printScalar(field, &value, into: &out)
                        index += 1
                    }
                } catch {
                    throw error.adding(.index(index))
                }
            }
        }
        out.append(UInt8(ascii: "]"))
        return index
    }

    // MARK: Scalars

    /// Reads one scalar value of the field's type at `r` and prints it.
    @inline(__always)
    func printScalar(_ field: FieldPlan, _ r: inout WireReader, into out: inout JSONOutput) throws(Failure) {
        switch field.type {
        case .int32:
            NumberFormat.appendInt64(Int64(Int32(truncatingIfNeeded: try r.readVarint())), into: &out)
        case .int64:
            NumberFormat.appendQuotedInt64(Int64(bitPattern: try r.readVarint()), into: &out)
        case .uint32:
            NumberFormat.appendUInt64(UInt64(UInt32(truncatingIfNeeded: try r.readVarint())), into: &out)
        case .uint64:
            NumberFormat.appendQuotedUInt64(try r.readVarint(), into: &out)
        case .sint32:
            let u = UInt32(truncatingIfNeeded: try r.readVarint())
            NumberFormat.appendInt64(Int64(Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))), into: &out)
        case .sint64:
            let u = try r.readVarint()
            NumberFormat.appendQuotedInt64(Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))), into: &out)
        case .bool:
            out.append(contentsOf: try r.readVarint() != 0 ? Self.trueBytes : Self.falseBytes)
        case .enum:
            printEnum(field, Int32(truncatingIfNeeded: try r.readVarint()), into: &out)
        case .fixed32:
            NumberFormat.appendUInt64(UInt64(try r.readFixed32()), into: &out)
        case .sfixed32:
            NumberFormat.appendInt64(Int64(Int32(bitPattern: try r.readFixed32())), into: &out)
        case .float:
            NumberFormat.appendFloat(Float(bitPattern: try r.readFixed32()), into: &out)
        case .fixed64:
            NumberFormat.appendQuotedUInt64(try r.readFixed64(), into: &out)
        case .sfixed64:
            NumberFormat.appendQuotedInt64(Int64(bitPattern: try r.readFixed64()), into: &out)
        case .double:
            NumberFormat.appendDouble(Double(bitPattern: try r.readFixed64()), into: &out)
        case .string:
            let range = try r.readLengthDelimited()
            try appendString(r.base, range, into: &out)
        case .bytes:
            let range = try r.readLengthDelimited()
            Base64Encode.appendQuoted(r.base + range.lowerBound, count: range.count, into: &out)
        case .message, .group:
            throw Failure(.malformedWire, "message field read as a scalar", offset: r.position)
        }
    }

    @inline(__always)
    func appendString(_ base: UnsafeRawPointer, _ range: Range<Int>, into out: inout JSONOutput) throws(Failure) {
        let mark = out.count
        if let bad = JSONWriter.appendQuoted(base + range.lowerBound, count: range.count, into: &out) {
            out.removeSubrange(mark...)
            throw Failure(.invalidUTF8, "string is not valid UTF-8", offset: range.lowerBound + bad)
        }
    }

    @inline(__always)
    func printEnum(_ field: FieldPlan, _ number: Int32, into out: inout JSONOutput) {
        if field.isNullValue && !options.enumsAsInts {
            out.append(contentsOf: Self.nullBytes)
        } else if options.enumsAsInts || field.enumIndex < 0 {
            NumberFormat.appendInt64(Int64(number), into: &out)
        } else {
            enums[field.enumIndex].append(number, into: &out)
        }
    }
}
