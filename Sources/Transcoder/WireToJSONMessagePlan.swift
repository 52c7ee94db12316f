import DescriptorLoader

/// One message, compiled for printing: its fields in field-number order and a
/// field-number → slot index (dense for small numbers, dictionary beyond).
final class WireToJSONMessagePlan: Sendable {
    let fullName: String
    let wellKnown: WellKnownType?
    let fields: [WireToJSONFieldPlan]
    /// Slot by field number for numbers below `dense.count`; -1 when none.
    let dense: [Int32]
    let sparse: [Int32: Int32]
    let oneofCount: Int

    static let denseLimit: Int32 = 256

    init(_ message: MessageSchema, schema: Schema, enumIndexes: [String: Int]) {
        fullName = message.fullName
        wellKnown = message.wellKnownType
        fields = message.fields.map { WireToJSONFieldPlan($0, schema: schema, enumIndexes: enumIndexes) }
        let maxDense = fields.map(\.number).filter { $0 < Self.denseLimit }.max() ?? 0
        var dense = [Int32](repeating: -1, count: Int(maxDense) + 1)
        var sparse: [Int32: Int32] = [:]
        for (slot, field) in fields.enumerated() {
            if field.number < Self.denseLimit {
                dense[Int(field.number)] = Int32(slot)
            } else {
                sparse[field.number] = Int32(slot)
            }
        }
        self.dense = dense
        self.sparse = sparse
        oneofCount = message.oneofs.count
    }

    @inline(__always)
    func slot(for number: Int32) -> Int {
        if Int(number) < dense.count { return Int(dense[Int(number)]) }
        if sparse.isEmpty { return -1 }
        return Int(sparse[number] ?? -1)
    }
}
