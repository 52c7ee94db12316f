import DescriptorLoader

/// An enum's names, pre-rendered as JSON strings (`"NAME"` with quotes) and
/// indexed by number: densely for a compact range, else by binary search.
struct WireToJSONEnumPlan {
    /// Names for numbers `denseBase ..< denseBase + dense.count`; an empty name when none.
    let dense: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>
    let denseBase: Int32
    /// Sorted by number.
    let sparse: UnsafeBufferPointer<(number: Int32, name: UnsafeBufferPointer<UInt8>)>
    let isClosed: Bool

    init(_ schema: EnumSchema, arena: WireToJSONArena) {
        var byNumber: [Int32: UnsafeBufferPointer<UInt8>] = [:]
        for value in schema.values where byNumber[value.number] == nil {
            var quoted: [UInt8] = []
            JSONWriter.appendQuoted(value.name, into: &quoted)
            byNumber[value.number] = arena.bytes(quoted)
        }
        let low = byNumber.keys.min() ?? 0
        let high = byNumber.keys.max() ?? -1
        let none = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        if high >= low, Int(high) - Int(low) < 256 {
            var dense = [UnsafeBufferPointer<UInt8>](repeating: none, count: Int(high) - Int(low) + 1)
            for (number, name) in byNumber { dense[Int(number - low)] = name }
            self.dense = arena.copy(dense)
            self.denseBase = low
            self.sparse = arena.copy([])
        } else {
            self.dense = arena.copy([])
            self.denseBase = 0
            self.sparse = arena.copy(byNumber.sorted { $0.key < $1.key }.map { (number: $0.key, name: $0.value) })
        }
        self.isClosed = schema.isClosed
    }

    @inline(__always)
    private func name(_ number: Int32) -> UnsafeBufferPointer<UInt8>? {
        let i = Int(number) - Int(denseBase)
        if i >= 0 && i < dense.count { return dense[i].isEmpty ? nil : dense[i] }
        var low = 0
        var high = sparse.count
        while low < high {
            let mid = (low + high) / 2
            if sparse[mid].number < number { low = mid + 1 } else { high = mid }
        }
        return low < sparse.count && sparse[low].number == number ? sparse[low].name : nil
    }

    /// Whether a number names a declared value (closed enums drop the others).
    @inline(__always)
    func isKnown(_ number: Int32) -> Bool { name(number) != nil }

    /// Appends `"NAME"`, or the number when no value has that number.
    @inline(__always)
    func append(_ number: Int32, into output: inout JSONOutput) {
        if let name = name(number) {
            output.append(contentsOf: name)
        } else {
            NumberFormat.appendInt64(Int64(number), into: &output)
        }
    }
}
