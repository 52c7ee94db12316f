import DescriptorLoader

/// The request fields a URL binds (path variables and query parameters), as
/// field paths and raw (decoded) string values.
///
/// Stored flat in three arrays (value bytes, field-index steps, entries), so a
/// request costs a few allocations however many parameters it has. The
/// ``jsonObject()`` text is one ProtoJSON object that the JSON → wire converter
/// type-checks (with the field path in its errors) and appends to the body's
/// wire bytes, which merges it into the request message.
public struct RequestBindings: Sendable {
    struct Entry: Sendable {
        /// Range in ``steps``: field indices from the request message to the leaf.
        var steps: Range<Int>
        /// Map key, range in ``bytes``.
        var key: Range<Int>?
        /// Value, range in ``bytes``.
        var value: Range<Int>
        /// Arrival order: repeated values keep the order they were given in.
        var order: Int
    }

    let schema: RequestBindingsSchema
    /// Ordinal of the request message.
    let root: Int
    var bytes: [UInt8] = []
    var steps: [Int] = []
    var entries: [Entry] = []

    init(schema: RequestBindingsSchema, root: Int) {
        self.schema = schema
        self.root = root
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// Every binding as (JSON field path, value), in rendering order; map keys
    /// are shown as `labels[key]`. For tools and tests, not the hot path.
    public var fields: [(path: String, value: String)] {
        entries.map { entry in
            var path = schema.jsonPath(root: root, steps: steps[entry.steps])
            if let key = entry.key { path += "[" + String(decoding: bytes[key], as: UTF8.self) + "]" }
            return (path, String(decoding: bytes[entry.value], as: UTF8.self))
        }
    }

    mutating func append(steps newSteps: [Int], value: Range<Int>) {
        let start = steps.count
        steps.append(contentsOf: newSteps)
        entries.append(Entry(steps: start..<steps.count, key: nil, value: value, order: entries.count))
    }

    /// Sorts entries so that fields of one message and values of one field are
    /// adjacent, and rejects a non-repeated field or a map key given twice.
    mutating func finish() -> TranscodeError? {
        guard entries.count > 1 else { return nil }
        let steps = self.steps
        let bytes = self.bytes
        func precedes(_ a: Entry, _ b: Entry) -> Bool {
            let sa = steps[a.steps]
            let sb = steps[b.steps]
            if !sa.elementsEqual(sb) { return sa.lexicographicallyPrecedes(sb) }
            if let ka = a.key, let kb = b.key, !bytes[ka].elementsEqual(bytes[kb]) {
                return bytes[ka].lexicographicallyPrecedes(bytes[kb])
            }
            return a.order < b.order
        }
        // Path variables usually arrive in field order already.
        var sorted = true
        for i in 1..<entries.count where !precedes(entries[i - 1], entries[i]) {
            sorted = false
            break
        }
        if !sorted { entries.sort(by: precedes) }
        for i in 1..<entries.count {
            let previous = entries[i - 1]
            let entry = entries[i]
            guard steps[previous.steps].elementsEqual(steps[entry.steps]) else { continue }
            let field = leafField(entry)
            let path = schema.jsonPath(root: root, steps: steps[entry.steps])
            if let key = entry.key, let previousKey = previous.key {
                if bytes[key].elementsEqual(bytes[previousKey]) {
                    let keyText = String(decoding: bytes[key], as: UTF8.self)
                    return TranscodeError(.badBinding, path: path, "map key '\(keyText)' is given more than once")
                }
            } else if !field.isRepeated {
                return TranscodeError(
                    .badBinding, path: path,
                    "too many values for non-repeated field '\(path)': '\(String(decoding: bytes[previous.value], as: UTF8.self))', '\(String(decoding: bytes[entry.value], as: UTF8.self))'"
                )
            }
        }
        return nil
    }

    private func leafField(_ entry: Entry) -> RequestBindingsSchema.Field {
        var message = root
        var field: RequestBindingsSchema.Field?
        for step in steps[entry.steps] {
            field = schema.messages[message].fields[step]
            if case .message(let child) = field!.kind { message = child }
        }
        return field!
    }

    /// The bindings as one ProtoJSON object (`{}` when there are none).
    public func jsonObject() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + entries.count * 16 + 2)
        writeObject(entries: 0..<entries.count, depth: 0, message: root, into: &output)
        return output
    }

    private func writeObject(entries range: Range<Int>, depth: Int, message: Int, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var i = range.lowerBound
        while i < range.upperBound {
            let fieldIndex = steps[entries[i].steps.lowerBound + depth]
            var j = i + 1
            while j < range.upperBound && steps[entries[j].steps.lowerBound + depth] == fieldIndex { j += 1 }
            if i != range.lowerBound { output.append(UInt8(ascii: ",")) }
            let field = schema.messages[message].fields[fieldIndex]
            output.append(contentsOf: field.jsonKey)
            switch field.kind {
            case .message(let child):
                writeObject(entries: i..<j, depth: depth + 1, message: child, into: &output)
            case .map(let kind):
                output.append(UInt8(ascii: "{"))
                for k in i..<j {
                    if k != i { output.append(UInt8(ascii: ",")) }
                    RequestBindingsJSONText.appendQuoted(bytes[entries[k].key ?? 0..<0], to: &output)
                    output.append(UInt8(ascii: ":"))
                    writeValue(entries[k].value, kind, into: &output)
                }
                output.append(UInt8(ascii: "}"))
            case .value(let kind):
                if field.isRepeated {
                    output.append(UInt8(ascii: "["))
                    for k in i..<j {
                        if k != i { output.append(UInt8(ascii: ",")) }
                        writeValue(entries[k].value, kind, into: &output)
                    }
                    output.append(UInt8(ascii: "]"))
                } else {
                    writeValue(entries[i].value, kind, into: &output)
                }
            case .unsupported:
                // Never bound: rejected when the route is compiled or the query is read.
                output.append(contentsOf: "null".utf8)
            }
            i = j
        }
        output.append(UInt8(ascii: "}"))
    }

    private func writeValue(_ range: Range<Int>, _ kind: RequestBindingsSchema.ValueKind, into output: inout [UInt8]) {
        let value = bytes[range]
        switch kind {
        case .quoted:
            break
        case .enumValue:
            if Self.isIntegerLiteral(value) {
                output.append(contentsOf: value)
                return
            }
        case .bool:
            if let literal = Self.boolLiteral(value) {
                output.append(contentsOf: literal ? "true".utf8 : "false".utf8)
                return
            }
        }
        RequestBindingsJSONText.appendQuoted(value, to: &output)
    }

    /// `-?[0-9]+` without leading zeros: a valid JSON integer.
    static func isIntegerLiteral(_ value: ArraySlice<UInt8>) -> Bool {
        var digits = value[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard let first = digits.first, first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") else { return false }
        if first == UInt8(ascii: "0") && digits.count > 1 { return false }
        return digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The spellings Go's `strconv.ParseBool` accepts (what grpc-gateway uses).
    static func boolLiteral(_ value: ArraySlice<UInt8>) -> Bool? {
        switch value.count {
        case 1:
            switch value.first! {
            case UInt8(ascii: "1"), UInt8(ascii: "t"), UInt8(ascii: "T"): return true
            case UInt8(ascii: "0"), UInt8(ascii: "f"), UInt8(ascii: "F"): return false
            default: return nil
            }
        case 4:
            if value.elementsEqual("true".utf8) || value.elementsEqual("True".utf8) || value.elementsEqual("TRUE".utf8) {
                return true
            }
            return nil
        case 5:
            if value.elementsEqual("false".utf8) || value.elementsEqual("False".utf8) || value.elementsEqual("FALSE".utf8) {
                return false
            }
            return nil
        default:
            return nil
        }
    }
}
