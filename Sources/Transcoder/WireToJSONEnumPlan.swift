import DescriptorLoader

/// An enum's names, pre-rendered as JSON strings and indexed by number.
final class WireToJSONEnumPlan: Sendable {
    /// `"NAME"` (with quotes) for numbers `denseBase ..< denseBase + dense.count`; empty if none.
    let dense: [[UInt8]]
    let denseBase: Int32
    let sparse: [Int32: [UInt8]]
    let isClosed: Bool

    init(_ schema: EnumSchema) {
        var byNumber: [Int32: [UInt8]] = [:]
        for value in schema.values where byNumber[value.number] == nil {
            var quoted: [UInt8] = []
            JSONWriter.appendQuoted(value.name, into: &quoted)
            byNumber[value.number] = quoted
        }
        let low = byNumber.keys.min() ?? 0
        let high = byNumber.keys.max() ?? -1
        if high >= low, Int(high) - Int(low) < 256 {
            var dense = [[UInt8]](repeating: [], count: Int(high) - Int(low) + 1)
            for (number, name) in byNumber { dense[Int(number - low)] = name }
            self.dense = dense
            self.denseBase = low
            self.sparse = [:]
        } else {
            self.dense = []
            self.denseBase = 0
            self.sparse = byNumber
        }
        self.isClosed = schema.isClosed
    }

    /// Whether a number names a declared value (closed enums drop the others).
    @inline(__always)
    func isKnown(_ number: Int32) -> Bool {
        let i = Int(number) - Int(denseBase)
        if i >= 0 && i < dense.count { return !dense[i].isEmpty }
        return sparse[number] != nil
    }

    /// Appends `"NAME"`, or the number when no value has that number.
    @inline(__always)
    func append(_ number: Int32, into output: inout [UInt8]) {
        let i = Int(number) - Int(denseBase)
        if i >= 0 && i < dense.count, !dense[i].isEmpty {
            output.append(contentsOf: dense[i])
        } else if let name = sparse[number] {
            output.append(contentsOf: name)
        } else {
            NumberFormat.appendInt64(Int64(number), into: &output)
        }
    }
}
