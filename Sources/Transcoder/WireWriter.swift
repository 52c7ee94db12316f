import DescriptorLoader

/// Appends protobuf wire encodings to a ``Buffer``.
///
/// Lengths of nested messages are back-patched: ``beginLength(_:)`` reserves
/// one byte, ``endLength(_:at:)`` writes the varint there and, only when the
/// content is 128 bytes or longer, shifts the content to make room.
enum WireWriter {
    @inline(__always)
    static func varint(_ value: UInt64, _ out: inout Buffer) {
        out.reserve(10)
        var v = value
        while v >= 0x80 {
            out.appendUnchecked(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.appendUnchecked(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        var v = value
        var n = 1
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }

    /// A precomputed tag: up to five varint bytes packed little-endian.
    @inline(__always)
    static func tag(_ tag: PackedTag, _ out: inout Buffer) {
        out.reserve(8)
        out.storeUnchecked(tag.bytes, advancingBy: Int(tag.count))
    }

    @inline(__always)
    static func fixed32(_ value: UInt32, _ out: inout Buffer) {
        out.reserve(4)
        out.storeUnchecked(UInt64(value), advancingBy: 4)
    }

    @inline(__always)
    static func fixed64(_ value: UInt64, _ out: inout Buffer) {
        out.reserve(8)
        out.storeUnchecked(value, advancingBy: 8)
    }

    /// Reserves the length byte of a length-delimited record; returns its index.
    @inline(__always)
    static func beginLength(_ out: inout Buffer) -> Int {
        out.append(0)
        return out.count - 1
    }

    /// Writes the length of everything after `mark` into the reserved byte(s).
    @inline(__always)
    static func endLength(_ out: inout Buffer, at mark: Int) {
        let length = out.count - mark - 1
        if length < 0x80 {
            out[mark] = UInt8(truncatingIfNeeded: length)
            return
        }
        patchLongLength(&out, at: mark, length: length)
    }

    @inline(never)
    static func patchLongLength(_ out: inout Buffer, at mark: Int, length: Int) {
        let size = varintSize(UInt64(length))
        out.insertGap(at: mark + 1, count: size - 1)
        var v = UInt64(length)
        var i = mark
        while v >= 0x80 {
            out[i] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            i += 1
        }
        out[i] = UInt8(truncatingIfNeeded: v)
    }

    static func zigZag32(_ v: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: (v &<< 1) ^ (v >> 31)))
    }

    static func zigZag64(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v &<< 1) ^ (v >> 63))
    }

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

/// Where decoded JSON bytes go: the wire buffer, or an array for slow paths.
protocol JSONReaderByteSink {
    mutating func append(_ b: UInt8)
    mutating func append(contentsOf p: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONReaderByteSink where Element == UInt8 {}

/// A field tag encoded once at plan time.
struct PackedTag: Sendable {
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
