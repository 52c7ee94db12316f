/// Which fields (and oneofs) of one object were already given. Two words
/// cover messages with up to 128 fields and oneofs; larger ones spill to an array.
struct JSONToWireSeenSet {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var overflow: [Bool] = []

    func contains(_ index: Int) -> Bool {
        if index < 64 { return low & (1 << UInt64(index)) != 0 }
        if index < 128 { return high & (1 << UInt64(index - 64)) != 0 }
        return index - 128 < overflow.count && overflow[index - 128]
    }

    /// Marks `index`; returns whether it was already marked.
    @inline(__always)
    mutating func testAndSet(_ index: Int) -> Bool {
        if index < 64 {
            let bit: UInt64 = 1 << UInt64(index)
            defer { low |= bit }
            return low & bit != 0
        }
        if index < 128 {
            let bit: UInt64 = 1 << UInt64(index - 64)
            defer { high |= bit }
            return high & bit != 0
        }
        let i = index - 128
        if overflow.count <= i { overflow.append(contentsOf: repeatElement(false, count: i + 1 - overflow.count)) }
        defer { overflow[i] = true }
        return overflow[i]
    }
}
