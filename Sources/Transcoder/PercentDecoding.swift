/// Percent-decoding of URL path segments and query components, as
/// `google.api.http` prescribes.
///
/// - A variable that captures a single segment is fully decoded.
/// - A variable that captures several segments (`**` or a multi-segment
///   pattern) is decoded except for the RFC 6570 reserved characters
///   (`!#$&'()*+,/:;=?@[]`), which stay percent-encoded so that the value
///   still splits into the same segments (Envoy's default behaviour).
/// - Query components additionally decode `+` to a space.
///
/// Unlike Envoy, a `%` that is not followed by two hex digits is an error,
/// not passed through: a client that sends it has a bug we should report.
public enum PercentDecoding {
    public enum Mode: Sendable {
        /// Decode every escape (single-segment path variables).
        case all
        /// Keep escapes of RFC 6570 reserved characters (multi-segment path variables).
        case exceptReserved
        /// Decode every escape and `+` as a space (query names and values).
        case query
    }

    /// Why decoding failed; `offset` is the position of the bad `%` in the input.
    public struct Failure: Error, Sendable, Equatable {
        public let offset: Int
    }

    /// Appends the decoded form of `input` to `output`.
    public static func decode(
        _ input: UnsafeBufferPointer<UInt8>, mode: Mode, into output: inout [UInt8]
    ) -> Failure? {
        var i = 0
        let n = input.count
        while i < n {
            let byte = input[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < n, let hi = hexValue(input[i + 1]), let lo = hexValue(input[i + 2]) else {
                    return Failure(offset: i)
                }
                let decoded = hi << 4 | lo
                if mode == .exceptReserved && isReserved(decoded) {
                    output.append(byte)
                    output.append(input[i + 1])
                    output.append(input[i + 2])
                } else {
                    output.append(decoded)
                }
                i += 3
            } else if byte == UInt8(ascii: "+") && mode == .query {
                output.append(UInt8(ascii: " "))
                i += 1
            } else {
                output.append(byte)
                i += 1
            }
        }
        return nil
    }

    /// Decodes a `String` (tests and tools; the server decodes bytes).
    public static func decode(_ input: String, mode: Mode) throws -> String {
        var input = input
        var output: [UInt8] = []
        let failure = input.withUTF8 { decode($0, mode: mode, into: &output) }
        if let failure { throw failure }
        guard isValidUTF8(output[...]) else { throw Failure(offset: -1) }
        return String(decoding: output, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// RFC 6570 reserved characters.
    static func isReserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","),
            UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "?"),
            UInt8(ascii: "@"), UInt8(ascii: "["), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF).
    public static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lowerBound: UInt8 = 0x80
            var upperBound: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upperBound = 0x9F
            case 0xF0: length = 4; lowerBound = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upperBound = 0x8F
            default: return false
            }
            guard end - i >= length else { return false }
            let b1 = bytes[i + 1]
            guard b1 >= lowerBound && b1 <= upperBound else { return false }
            var k = 2
            while k < length {
                guard bytes[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += length
        }
        return true
    }
}
