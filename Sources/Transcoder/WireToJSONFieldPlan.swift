import DescriptorLoader

/// One field, compiled for printing: its kind, the type it points at, and its
/// `"name":` key bytes in both naming styles. Trivial (integers and pointers
/// into the plans' arena), so copying one costs no reference counting.
struct WireToJSONFieldPlan {
    enum Shape {
        case singular
        case repeated
        case map
    }

    let number: Int32
    let type: FieldType
    let shape: Shape
    /// The message type (or for a map, the entry type), else -1.
    let messageOrdinal: Int
    /// Index into the printer's enum plans, else -1.
    let enumIndex: Int
    /// Index of the real oneof the field belongs to, else -1.
    let oneofIndex: Int
    let hasPresence: Bool
    /// Printed by `emitUnpopulated` when absent: fields without presence, not extensions.
    let printsWhenUnpopulated: Bool
    /// `google.protobuf.NullValue`: printed as `null`.
    let isNullValue: Bool
    /// The wire type of one unpacked value.
    let wireType: UInt8
    /// Repeated scalar that may come packed (length-delimited).
    let acceptsPacked: Bool
    let jsonKey: UnsafeBufferPointer<UInt8>
    let protoKey: UnsafeBufferPointer<UInt8>
    private let jsonNameBytes: UnsafeBufferPointer<UInt8>
    private let protoNameBytes: UnsafeBufferPointer<UInt8>

    init(_ field: FieldSchema, schema: Schema, enumIndexes: [String: Int], arena: WireToJSONArena) {
        number = field.number
        type = field.type
        shape = field.isMap ? .map : (field.isRepeated ? .repeated : .singular)
        if let entry = field.mapEntryTypeName {
            messageOrdinal = schema.ordinal(of: entry) ?? -1
        } else if field.type == .message || field.type == .group, let typeName = field.typeName {
            messageOrdinal = schema.ordinal(of: typeName) ?? -1
        } else {
            messageOrdinal = -1
        }
        if field.type == .enum, let typeName = field.typeName {
            enumIndex = enumIndexes[typeName] ?? -1
            isNullValue = typeName == "google.protobuf.NullValue"
        } else {
            enumIndex = -1
            isNullValue = false
        }
        oneofIndex = field.oneofIndex ?? -1
        hasPresence = field.hasPresence
        printsWhenUnpopulated = !field.hasPresence && !field.isExtension
        wireType = field.type.wireType.rawValue
        acceptsPacked = field.isRepeated && field.type.isPackable
        jsonNameBytes = arena.bytes(field.jsonName)
        protoNameBytes = arena.bytes(field.name)
        var key: [UInt8] = []
        JSONWriter.appendQuoted(field.jsonName, into: &key)
        key.append(UInt8(ascii: ":"))
        jsonKey = arena.bytes(key)
        key = []
        JSONWriter.appendQuoted(field.name, into: &key)
        key.append(UInt8(ascii: ":"))
        protoKey = arena.bytes(key)
    }

    var jsonName: String { jsonNameBytes.string }
    var protoName: String { protoNameBytes.string }

    /// Whether a value with this wire type belongs to the field; protobuf
    /// treats any other wire type as an unknown field.
    @inline(__always)
    func accepts(_ wireType: UInt8) -> Bool {
        wireType == self.wireType || (acceptsPacked && wireType == 2)
    }
}
