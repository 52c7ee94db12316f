/// An open-addressing hash table from name bytes to a small integer, built
/// once at plan time; look-ups hash the raw input bytes and compare with
/// `memcmp`-like loops, so no `String` is made per key.
struct JSONToWireNameTable: Sendable {
    private var slots: [Int32]
    private var hashes: [UInt32] = []
    private var offsets: [Int32] = []
    private var lengths: [Int32] = []
    private var values: [Int32] = []
    private var bytes: [UInt8] = []
    private let mask: Int

    init(_ entries: [(name: String, value: Int32)]) {
        var size = 8
        while size < entries.count * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for (name, value) in entries {
            let utf8 = Array(name.utf8)
            if utf8.withUnsafeBufferPointer({ lookup($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, utf8.count) }) != nil {
                continue  // first wins (a json name equal to another field's proto name)
            }
            let h = utf8.withUnsafeBufferPointer { Self.hash($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, utf8.count) }
            var slot = Int(h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(values.count)
            hashes.append(h)
            offsets.append(Int32(bytes.count))
            lengths.append(Int32(utf8.count))
            values.append(value)
            bytes.append(contentsOf: utf8)
        }
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for i in 0..<count {
            h = (h ^ UInt32(p[i])) &* 16_777_619
        }
        return h
    }

    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
        let h = Self.hash(p, count)
        var slot = Int(h) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if hashes[entry] == h && Int(lengths[entry]) == count {
                let offset = Int(offsets[entry])
                let same = bytes.withUnsafeBufferPointer { b in
                    for i in 0..<count where b[offset + i] != p[i] { return false }
                    return true
                }
                if same { return values[entry] }
            }
            slot = (slot + 1) & mask
        }
    }
}
