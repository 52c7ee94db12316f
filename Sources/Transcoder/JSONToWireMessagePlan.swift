import DescriptorLoader

/// The compiled form of one message: its fields and a name table that
/// accepts both the JSON name and the proto name of each field.
final class JSONToWireMessagePlan: Sendable {
    let fullName: String
    let wellKnown: WellKnownType?
    let fields: [JSONToWireFieldPlan]
    /// JSON names, by field index, for error paths.
    let jsonNames: [String]
    let names: JSONToWireNameTable
    let oneofNames: [String]

    init(message: MessageSchema, schema: Schema, enumIndex: [String: Int]) {
        fullName = message.fullName
        wellKnown = message.wellKnownType
        oneofNames = message.oneofs
        var fields: [JSONToWireFieldPlan] = []
        var entries: [(name: String, value: Int32)] = []
        for (i, f) in message.fields.enumerated() {
            entries.append((f.jsonName, Int32(i)))
            if f.name != f.jsonName { entries.append((f.name, Int32(i))) }
            let typeName = f.mapEntryTypeName ?? f.typeName
            let isMessage = f.type == .message || f.type == .group
            let elementWire: WireType = f.type.wireType
            fields.append(
                JSONToWireFieldPlan(
                    number: f.number,
                    type: f.type,
                    tag: WireWriterTag(number: f.number, wireType: elementWire),
                    packedTag: WireWriterTag(number: f.number, wireType: .lengthDelimited),
                    endGroupTag: WireWriterTag(number: f.number, wireType: .endGroup),
                    isRepeated: f.isRepeated,
                    isPacked: f.isPacked && f.isRepeated && f.type.isPackable,
                    isMap: f.isMap,
                    writesDefault: f.hasPresence,
                    oneofIndex: f.oneofIndex ?? -1,
                    message: isMessage ? (typeName.flatMap { schema.ordinal(of: $0) } ?? -1) : -1,
                    enumIndex: f.type == .enum ? (f.typeName.flatMap { enumIndex[$0] } ?? -1) : -1,
                    isValue: isMessage && f.typeName == WellKnownType.value.rawValue,
                    isNullValue: f.type == .enum && f.typeName == "google.protobuf.NullValue"))
        }
        // JSON names first: a JSON name that equals another field's proto name wins.
        entries.sort { a, b in
            let aJSON = message.fields[Int(a.value)].jsonName == a.name
            let bJSON = message.fields[Int(b.value)].jsonName == b.name
            return aJSON && !bJSON
        }
        self.fields = fields
        self.jsonNames = message.fields.map(\.jsonName)
        self.names = JSONToWireNameTable(entries)
    }

    func fieldIndex(number: Int32) -> Int? {
        fields.firstIndex { $0.number == number }
    }
}
