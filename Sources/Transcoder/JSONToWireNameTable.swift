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
        bytes.append(contentsOf: repeatElement(0, count: 8))  // word loads in `equal` stay in bounds
    }

    /// Hashes length, first and last bytes with a few multiplies (no per-byte loop
    /// for keys of 4 bytes or more); collisions are resolved by comparing bytes.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32 {
        let raw = UnsafeRawPointer(p)
        var h = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        if count >= 8 {
            h ^= raw.loadUnaligned(as: UInt64.self) &* 0xC2B2_AE3D_27D4_EB4F
            h = (h << 31) | (h >> 33)
            h ^= raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) &* 0x1656_67B1_9E37_79F9
        } else if count >= 4 {
            let a = UInt64(raw.loadUnaligned(as: UInt32.self))
            let b = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            h ^= ((a << 32) | b) &* 0xC2B2_AE3D_27D4_EB4F
        } else {
            for i in 0..<count { h = (h ^ UInt64(p[i])) &* 0x100_0000_01B3 }
        }
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
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
                let same = bytes.withUnsafeBufferPointer { b in Self.equal(b.baseAddress! + offset, p, count) }
                if same { return values[entry] }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Compares `count` bytes a word at a time.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        var i = 0
        while i + 8 <= count {
            if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}
