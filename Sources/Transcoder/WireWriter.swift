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
    static func tag(_ tag: WireWriterTag, _ out: inout Buffer) {
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
}
