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

    /// Strict UTF-8 validation (``UTF8Validation``).
    public static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        UTF8Validation.isValid(bytes)
    }
}
