import DescriptorLoader

/// Appends protobuf wire encodings to a byte array.
///
/// Lengths of nested messages are back-patched: ``beginLength(_:)`` reserves
/// one byte, ``endLength(_:at:)`` writes the varint there and, only when the
/// content is 128 bytes or longer, shifts the content to make room.
enum WireWriter {
    @inline(__always)
    static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: v))
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
    static func tag(_ tag: PackedTag, _ out: inout [UInt8]) {
        var bytes = tag.bytes
        for _ in 0..<Int(tag.count) {
            out.append(UInt8(truncatingIfNeeded: bytes))
            bytes >>= 8
        }
    }

    @inline(__always)
    static func fixed32(_ value: UInt32, _ out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    @inline(__always)
    static func fixed64(_ value: UInt64, _ out: inout [UInt8]) {
        fixed32(UInt32(truncatingIfNeeded: value), &out)
        fixed32(UInt32(truncatingIfNeeded: value >> 32), &out)
    }

    /// Reserves the length byte of a length-delimited record; returns its index.
    @inline(__always)
    static func beginLength(_ out: inout [UInt8]) -> Int {
        out.append(0)
        return out.count - 1
    }

    /// Writes the length of everything after `mark` into the reserved byte(s).
    @inline(__always)
    static func endLength(_ out: inout [UInt8], at mark: Int) {
        let length = out.count - mark - 1
        if length < 0x80 {
            out[mark] = UInt8(truncatingIfNeeded: length)
            return
        }
        patchLongLength(&out, at: mark, length: length)
    }

    static func patchLongLength(_ out: inout [UInt8], at mark: Int, length: Int) {
        let size = varintSize(UInt64(length))
        out.insert(contentsOf: repeatElement(0, count: size - 1), at: mark + 1)
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
}

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
