import EdgeCore

/// Decoding of the gRPC header values that are not plain text: `grpc-message`
/// (percent-encoded UTF-8) and `-bin` values (standard base64, padding optional,
/// valid by ``Base64Check``, the one rule for `-bin` values both ways).
package enum GRPCMetadataCoding {
    /// Percent-decodes `grpc-message`. Malformed escapes are kept verbatim, as the spec asks
    /// receivers to be lenient; invalid UTF-8 is repaired with U+FFFD.
    package static func percentDecode(_ value: String) -> String {
        guard value.utf8.contains(UInt8(ascii: "%")) else { return value }
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        let bytes = Array(value.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard base64, with or without `=` padding, as gRPC's spec asks of
    /// `-bin` values. Returns nil when ``Base64Check`` refuses the text (URL-safe
    /// characters among it: gRPC's `-bin` values are standard base64).
    package static func base64Decode(_ value: String) -> [UInt8]? {
        guard Base64Check.isValid(value[...]) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in value.utf8 where byte != UInt8(ascii: "=") {
            guard let sextet = base64Value(byte) else { return nil }
            accumulator = (accumulator << 6) | UInt32(sextet)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
