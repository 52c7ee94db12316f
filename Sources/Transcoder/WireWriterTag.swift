import DescriptorLoader

/// A field tag encoded once at plan time.
struct WireWriterTag: Sendable {
    var bytes: UInt64
    var count: UInt8

    init(number: Int32, wireType: WireType) {
        var v = (UInt64(UInt32(bitPattern: number)) << 3) | UInt64(wireType.rawValue)
        var packed: UInt64 = 0
        var n: UInt8 = 0
        while v >= 0x80 {
            packed |= (UInt64(UInt8(truncatingIfNeeded: v) | 0x80)) << (8 * UInt64(n))
            v >>= 7
            n += 1
        }
        packed |= UInt64(UInt8(truncatingIfNeeded: v)) << (8 * UInt64(n))
        self.bytes = packed
        self.count = n + 1
    }
}
