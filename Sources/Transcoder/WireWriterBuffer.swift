extension WireWriter {
    /// A growable byte buffer on manually managed memory: appends are a
    /// capacity compare and a store, without the uniqueness checks of `Array`.
    /// The owner calls ``deallocate()`` exactly once.
    struct Buffer: JSONReaderByteSink {
        private(set) var base: UnsafeMutablePointer<UInt8>
        private(set) var count: Int = 0
        private var capacity: Int

        init(capacity: Int) {
            let c = max(capacity, 64)
            base = .allocate(capacity: c)
            self.capacity = c
        }

        func deallocate() { base.deallocate() }

        var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

        @inline(__always)
        mutating func reserve(_ n: Int) {
            if capacity - count < n { grow(n) }
        }

        @inline(never)
        private mutating func grow(_ n: Int) {
            let newCapacity = max(capacity * 2, count + n)
            let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBase.update(from: base, count: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }

        @inline(__always)
        mutating func append(_ b: UInt8) {
            if count == capacity { grow(1) }
            base[count] = b
            count += 1
        }

        @inline(__always)
        mutating func appendUnchecked(_ b: UInt8) {
            base[count] = b
            count += 1
        }

        /// Stores 8 little-endian bytes (room reserved) and keeps the first `n`.
        @inline(__always)
        mutating func storeUnchecked(_ value: UInt64, advancingBy n: Int) {
            UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt64.self)
            count += n
        }

        @inline(__always)
        mutating func append(contentsOf p: UnsafeBufferPointer<UInt8>) {
            reserve(p.count)
            if let a = p.baseAddress { (base + count).update(from: a, count: p.count) }
            count += p.count
        }

        subscript(i: Int) -> UInt8 {
            get { base[i] }
            set { base[i] = newValue }
        }

        mutating func truncate(to n: Int) { count = n }

        /// Opens `n` bytes at `i`, moving what follows (memmove).
        mutating func insertGap(at i: Int, count n: Int) {
            reserve(n)
            UnsafeMutableRawPointer(base + i + n).copyMemory(from: base + i, byteCount: count - i)
            count += n
        }
    }
}
