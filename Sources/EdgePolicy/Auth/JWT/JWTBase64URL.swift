/// Strict base64url (RFC 4648 §5) without padding, as JWS compact serialization
/// requires (RFC 7515 §2): only `A-Z a-z 0-9 - _`, no `=`, no whitespace, and
/// the unused low bits of the last character zero, so one value has exactly one
/// spelling (a token cannot be re-spelt to dodge the verified-token cache or a
/// deny list).
package enum JWTBase64URL {
    /// The decoded bytes, or nil if `text` is not canonical unpadded base64url.
    package static func decode(_ text: Substring.UTF8View) -> [UInt8]? {
        let count = text.count
        if count % 4 == 1 { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text {
            let value = Self.value(of: byte)
            guard value != 0xFF else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Leftover bits (2 or 4) must be zero: the canonical spelling.
        guard accumulator == 0 else { return nil }
        return output
    }

    package static func decode(_ text: Substring) -> [UInt8]? { decode(text.utf8) }

    @inline(__always)
    package static func value(of byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return 0xFF
        }
    }
}
