import DescriptorLoader

/// One message, compiled for printing: its fields in field-number order and a
/// field-number → slot index (dense for small numbers, binary search beyond).
/// Trivial, like ``WireToJSONFieldPlan``.
struct WireToJSONMessagePlan {
    private let fullNameBytes: UnsafeBufferPointer<UInt8>
    let wellKnown: WellKnownType?
    let fields: UnsafeBufferPointer<WireToJSONFieldPlan>
    /// Slot by field number for numbers below `dense.count`; -1 when none.
    let dense: UnsafeBufferPointer<Int32>
    /// Larger field numbers, sorted.
    let sparse: UnsafeBufferPointer<(number: Int32, slot: Int32)>
    let oneofCount: Int

    static let denseLimit: Int32 = 256

    init(_ message: MessageSchema, schema: Schema, enumIndexes: [String: Int], arena: WireToJSONArena) {
        fullNameBytes = arena.bytes(message.fullName)
        wellKnown = message.wellKnownType
        let fields = message.fields.map { WireToJSONFieldPlan($0, schema: schema, enumIndexes: enumIndexes, arena: arena) }
        self.fields = arena.copy(fields)
        let maxDense = fields.map(\.number).filter { $0 < Self.denseLimit }.max() ?? 0
        var dense = [Int32](repeating: -1, count: Int(maxDense) + 1)
        var sparse: [(number: Int32, slot: Int32)] = []
        for (slot, field) in fields.enumerated() {
            if field.number < Self.denseLimit {
                dense[Int(field.number)] = Int32(slot)
            } else {
                sparse.append((number: field.number, slot: Int32(slot)))
            }
        }
        self.dense = arena.copy(dense)
        self.sparse = arena.copy(sparse.sorted { $0.number < $1.number })
        oneofCount = message.oneofs.count
    }

    var fullName: String { fullNameBytes.string }

    @inline(__always)
    func slot(for number: Int32) -> Int {
        if Int(number) < dense.count { return Int(dense[Int(number)]) }
        if sparse.isEmpty { return -1 }
        var low = 0
        var high = sparse.count
        while low < high {
            let mid = (low + high) / 2
            if sparse[mid].number < number { low = mid + 1 } else { high = mid }
        }
        return low < sparse.count && sparse[low].number == number ? Int(sparse[low].slot) : -1
    }
}
