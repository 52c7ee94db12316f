/// A W3C / OpenTelemetry 128-bit trace id, as two integers (`high` is the first 16 hex digits).
///
/// All zeros is the invalid id: parsing refuses it and ``TraceIDGenerator`` never makes it.
public struct TraceID: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public var isValid: Bool { high != 0 || low != 0 }

    /// 32 lowercase hex digits, as in `traceparent`.
    public var description: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            TraceHex.write(high, into: buffer, at: 0)
            TraceHex.write(low, into: buffer, at: 16)
            return 32
        }
    }
}

/// Lowercase hex for trace and span ids (no Foundation, no per-digit allocation).
package enum TraceHex {
    /// Writes the 16 hex digits of `value` at `offset`.
    @inline(__always)
    package static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for index in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - index * 4)) & 0xF
            buffer[offset + index] = nibble < 10 ? nibble &+ 0x30 : nibble &+ 0x57
        }
    }

    /// 16 hex digits of a span id.
    package static func spanID(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            write(value, into: buffer, at: 0)
            return 16
        }
    }

    /// The value of a lowercase hex digit, or nil (uppercase is not hex here: W3C Trace Context is lowercase only).
    @inline(__always)
    package static func value(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte &- UInt8(ascii: "a") &+ 10)
        default: return nil
        }
    }
}
