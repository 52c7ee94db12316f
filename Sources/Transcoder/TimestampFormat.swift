/// RFC 3339 timestamps and ProtoJSON durations, written without Foundation.
enum TimestampFormat {
    /// 0001-01-01T00:00:00Z
    static let minSeconds: Int64 = -62_135_596_800
    /// 9999-12-31T23:59:59Z
    static let maxSeconds: Int64 = 253_402_300_799
    static let maxDurationSeconds: Int64 = 315_576_000_000

    /// Appends `"YYYY-MM-DDThh:mm:ss[.fff|.ffffff|.fffffffff]Z"`; nil if valid,
    /// else the reason it cannot be printed.
    static func appendTimestamp(seconds: Int64, nanos: Int32, into output: inout JSONOutput) -> String? {
        guard seconds >= minSeconds, seconds <= maxSeconds else {
            return "Timestamp seconds \(seconds) out of range [\(minSeconds), \(maxSeconds)]"
        }
        guard nanos >= 0, nanos <= 999_999_999 else {
            return "Timestamp nanos \(nanos) out of range [0, 999999999]"
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)

        output.append(UInt8(ascii: "\""))
        appendDigits(Int(year), width: 4, into: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(Int(month), width: 2, into: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(Int(day), width: 2, into: &output)
        output.append(UInt8(ascii: "T"))
        appendDigits(Int(secondOfDay / 3600), width: 2, into: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(Int(secondOfDay / 60 % 60), width: 2, into: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(Int(secondOfDay % 60), width: 2, into: &output)
        appendFraction(nanos, into: &output)
        output.append(UInt8(ascii: "Z"))
        output.append(UInt8(ascii: "\""))
        return nil
    }

    /// Appends `"-1.500s"`; nil if valid, else the reason it cannot be printed.
    static func appendDuration(seconds: Int64, nanos: Int32, into output: inout JSONOutput) -> String? {
        guard seconds >= -maxDurationSeconds, seconds <= maxDurationSeconds else {
            return "Duration seconds \(seconds) out of range [-\(maxDurationSeconds), \(maxDurationSeconds)]"
        }
        guard nanos >= -999_999_999, nanos <= 999_999_999 else {
            return "Duration nanos \(nanos) out of range [-999999999, 999999999]"
        }
        guard !(seconds > 0 && nanos < 0), !(seconds < 0 && nanos > 0) else {
            return "Duration seconds \(seconds) and nanos \(nanos) have different signs"
        }
        output.append(UInt8(ascii: "\""))
        if seconds < 0 || nanos < 0 { output.append(UInt8(ascii: "-")) }
        NumberFormat.appendUInt64(seconds.magnitude, into: &output)
        appendFraction(Int32(nanos.magnitude), into: &output)
        output.append(UInt8(ascii: "s"))
        output.append(UInt8(ascii: "\""))
        return nil
    }

    /// `.fff`, `.ffffff` or `.fffffffff`, the fewest of those that is exact; nothing for 0.
    private static func appendFraction(_ nanos: Int32, into output: inout JSONOutput) {
        guard nanos != 0 else { return }
        output.append(UInt8(ascii: "."))
        if nanos % 1_000_000 == 0 {
            appendDigits(Int(nanos / 1_000_000), width: 3, into: &output)
        } else if nanos % 1000 == 0 {
            appendDigits(Int(nanos / 1000), width: 6, into: &output)
        } else {
            appendDigits(Int(nanos), width: 9, into: &output)
        }
    }

    /// `value` zero-padded to `width` digits (`value` < 10^width).
    private static func appendDigits(_ value: Int, width: Int, into output: inout JSONOutput) {
        let out = output.appendUninitialized(width)
        var v = value
        var i = width - 1
        while i >= 0 {
            out[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
            v /= 10
            i -= 1
        }
    }
}
