import NIOCore

/// Parses the two ways a client can ask for a shorter (or longer, up to the
/// route's maximum) deadline: gRPC's `grpc-timeout` and `X-Request-Timeout`.
public enum TimeoutHeader {
    /// `grpc-timeout`: 1–8 ASCII digits followed by a unit, `H` hours, `M` minutes,
    /// `S` seconds, `m` milliseconds, `u` microseconds, `n` nanoseconds.
    public static func parseGRPCTimeout(_ text: Substring) -> TimeAmount? {
        let bytes = text.utf8
        guard bytes.count >= 2, bytes.count <= 9, let unit = bytes.last else { return nil }
        var value: Int64 = 0
        for byte in bytes.dropLast() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): return .hours(value)
        case UInt8(ascii: "M"): return .minutes(value)
        case UInt8(ascii: "S"): return .seconds(value)
        case UInt8(ascii: "m"): return .milliseconds(value)
        case UInt8(ascii: "u"): return .microseconds(value)
        case UInt8(ascii: "n"): return .nanoseconds(value)
        default: return nil
        }
    }

    /// `X-Request-Timeout`: seconds as a non-negative decimal (`5`, `0.25`), at most nanosecond precision
    /// and at most a day.
    public static func parseSeconds(_ text: Substring) -> TimeAmount? {
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenDot = false
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard !seenDot else { return nil }
                seenDot = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            digits += 1
            if seenDot {
                guard fractionDigits < 9 else { return nil }
                fraction = fraction * 10 + digit
                fractionDigits += 1
            } else {
                whole = whole * 10 + digit
                guard whole <= 86_400 else { return nil }
            }
        }
        guard digits > 0 else { return nil }
        for _ in fractionDigits..<9 { fraction *= 10 }
        return .nanoseconds(whole * 1_000_000_000 + fraction)
    }
}
