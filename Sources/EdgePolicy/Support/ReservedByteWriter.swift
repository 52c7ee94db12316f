/// Appends bytes to memory the caller reserved (``AccessLogFormatter`` reserves a bound on
/// the line first, ``RateLimitHeaders`` one on the `RateLimit` field), so a line costs one
/// capacity check instead of one per byte; decimals are written as digits, without a `String`.
///
/// Escaping lives here, in one place: JSON strings per RFC 8259 (`"`, `\` and control
/// characters escaped; invalid UTF-8 replaced by U+FFFD so every line is valid JSON) and
/// the text format's values (control characters, quotes, backslashes and invalid UTF-8
/// escaped so one exchange is one line and nothing can forge another).
package struct ReservedByteWriter {
    /// A JSON string grows at most this many times (a control byte becomes `\u00XX`).
    package static let worstCaseExpansion = 6

    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    package private(set) var count = 0

    package init(_ memory: UnsafeMutableRawBufferPointer) {
        self.base = memory.baseAddress!.assumingMemoryBound(to: UInt8.self)
        self.capacity = memory.count
    }

    @inline(__always)
    package mutating func byte(_ value: UInt8) {
        assert(count < capacity, "written past its reserved bound")
        base[count] = value
        count += 1
    }

    @inline(__always)
    package mutating func ascii(_ text: StaticString) {
        bytes(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    package mutating func bytes(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress, source.count > 0 else { return }
        assert(count + source.count <= capacity, "written past its reserved bound")
        if source.count <= 32 {
            // Keys and most values are short: words and bytes beat a call to memmove.
            let target = base + count
            var offset = 0
            while offset &+ 8 <= source.count {
                UnsafeMutableRawPointer(target + offset).storeBytes(
                    of: UnsafeRawPointer(start + offset).loadUnaligned(as: UInt64.self), as: UInt64.self)
                offset &+= 8
            }
            while offset < source.count {
                target[offset] = start[offset]
                offset &+= 1
            }
        } else {
            (base + count).update(from: start, count: source.count)
        }
        count += source.count
    }

    // MARK: Numbers

    /// A decimal integer, `-` first when negative.
    package mutating func decimal(_ value: Int64) {
        if value < 0 {
            byte(UInt8(ascii: "-"))
            unsignedDecimal(value.magnitude)
        } else {
            unsignedDecimal(UInt64(value))
        }
    }

    package mutating func decimal(_ value: Int) { decimal(Int64(value)) }

    private mutating func unsignedDecimal(_ value: UInt64) {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        assert(count + digits <= capacity, "written past its reserved bound")
        var rest = value
        var position = count + digits - 1
        repeat {
            base[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
            rest /= 10
            position -= 1
        } while rest > 0
        count += digits
    }

    /// `value` (0...99) as two digits. Constant divisors: the compiler multiplies instead of dividing.
    @inline(__always)
    private mutating func twoDigits(_ value: Int64) {
        byte(UInt8(truncatingIfNeeded: value / 10) &+ UInt8(ascii: "0"))
        byte(UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0"))
    }

    /// `value` (0...999) as three digits.
    @inline(__always)
    private mutating func threeDigits(_ value: Int64) {
        byte(UInt8(truncatingIfNeeded: value / 100) &+ UInt8(ascii: "0"))
        twoDigits(value % 100)
    }

    /// Nanoseconds as milliseconds with three decimals (microseconds, rounded): `1.234`.
    /// Negative durations (a clock stepped back) are written as `0.000`.
    package mutating func milliseconds(nanoseconds: Int64) {
        let micros = nanoseconds <= 0 ? 0 : (nanoseconds / 1000 + (nanoseconds % 1000 >= 500 ? 1 : 0))
        unsignedDecimal(UInt64(micros / 1000))
        byte(UInt8(ascii: "."))
        threeDigits(micros % 1000)
    }

    /// RFC 3339 in UTC with milliseconds, `2026-12-06T05:45:04.123Z`: always 24 bytes.
    /// Days to a civil date by `CalendarQuotaWindow.civil(fromDays:)` (no calendar, no locale).
    package mutating func rfc3339(unixNanos: Int64) {
        let nanosPerSecond: Int64 = 1_000_000_000
        var seconds = unixNanos / nanosPerSecond
        var nanos = unixNanos % nanosPerSecond
        if nanos < 0 { nanos += nanosPerSecond; seconds -= 1 }
        // Years 0000...9999 fit the format; anything else is clamped to its ends.
        seconds = min(max(seconds, -62_167_219_200), 253_402_300_799)
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }

        let (year, month, day) = CalendarQuotaWindow.civil(fromDays: days)

        twoDigits(year / 100)
        twoDigits(year % 100)
        byte(UInt8(ascii: "-"))
        twoDigits(month)
        byte(UInt8(ascii: "-"))
        twoDigits(day)
        byte(UInt8(ascii: "T"))
        twoDigits(secondOfDay / 3600)
        byte(UInt8(ascii: ":"))
        twoDigits(secondOfDay / 60 % 60)
        byte(UInt8(ascii: ":"))
        twoDigits(secondOfDay % 60)
        byte(UInt8(ascii: "."))
        threeDigits(nanos / 1_000_000)
        byte(UInt8(ascii: "Z"))
    }

    // MARK: JSON

    /// A JSON string with its quotes.
    package mutating func jsonString(_ value: String) {
        Self.withUTF8(value) { jsonString(bytes: $0) }
    }

    /// A JSON string with its quotes, from bytes that may not be valid UTF-8.
    package mutating func jsonString(bytes source: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        copyEscaping(source, deleteIsSpecial: false) { writer, value in
            guard !writer.backslashEscape(value) else { return }
            switch value {
            case 0x08: writer.ascii("\\b")
            case 0x0C: writer.ascii("\\f")
            case ..<0x20:
                writer.ascii("\\u00")
                writer.byte(Self.hexDigit(value >> 4))
                writer.byte(Self.hexDigit(value & 0x0F))
            default:
                writer.byte(0xEF)  // an invalid UTF-8 byte: U+FFFD
                writer.byte(0xBF)
                writer.byte(0xBD)
            }
        }
        byte(UInt8(ascii: "\""))
    }

    /// The escapes JSON and the text format share: `\"`, `\\`, `\n`, `\r`, `\t`; false for any other byte.
    private mutating func backslashEscape(_ value: UInt8) -> Bool {
        switch value {
        case UInt8(ascii: "\""): ascii("\\\"")
        case UInt8(ascii: "\\"): ascii("\\\\")
        case 0x0A: ascii("\\n")
        case 0x0D: ascii("\\r")
        case 0x09: ascii("\\t")
        default: return false
        }
        return true
    }

    /// Copies `source`: runs of plain ASCII and valid UTF-8 sequences as they are, every other
    /// byte (quote, backslash, a control character, an invalid UTF-8 byte) through `escape`.
    private mutating func copyEscaping(
        _ source: UnsafeBufferPointer<UInt8>, deleteIsSpecial: Bool, _ escape: (inout ReservedByteWriter, UInt8) -> Void
    ) {
        guard let start = source.baseAddress else { return }
        let end = source.count
        var index = 0
        var runStart = 0
        while true {
            index = Self.plainASCIIEnd(start, from: index, to: end, below: 0x20, delete: deleteIsSpecial)
            guard index < end else { break }
            let value = start[index]
            if value >= 0x80, let length = Self.validSequenceLength(source, at: index) {
                index += length
                continue
            }
            bytes(UnsafeBufferPointer(start: start + runStart, count: index - runStart))
            escape(&self, value)
            index += 1
            runStart = index
        }
        bytes(UnsafeBufferPointer(start: start + runStart, count: end - runStart))
    }

    // MARK: Text

    /// A text-format value: as it is when it is plain (printable, no space, quote or
    /// backslash), otherwise quoted and escaped. Empty values are `""`.
    package mutating func textValue(_ value: String) {
        Self.withUTF8(value) { source in
            if !source.isEmpty && Self.isPlain(source) {
                bytes(source)
            } else {
                byte(UInt8(ascii: "\""))
                textEscaped(bytes: source)
                byte(UInt8(ascii: "\""))
            }
        }
    }

    /// The inside of a quoted text value: `"` and `\` escaped with `\`, control
    /// characters and invalid UTF-8 as `\n`, `\r`, `\t` or `\xHH`.
    package mutating func textEscaped(bytes source: UnsafeBufferPointer<UInt8>) {
        copyEscaping(source, deleteIsSpecial: true) { writer, value in
            guard !writer.backslashEscape(value) else { return }
            writer.ascii("\\x")
            writer.byte(Self.hexDigit(value >> 4))
            writer.byte(Self.hexDigit(value & 0x0F))
        }
    }

    /// Whether a text value can go unquoted: printable, no space, quote or backslash.
    private static func isPlain(_ source: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = source.baseAddress else { return true }
        var index = 0
        while true {
            index = plainASCIIEnd(start, from: index, to: source.count, below: 0x21, delete: true)
            guard index < source.count else { return true }
            guard source[index] >= 0x80, let length = validSequenceLength(source, at: index) else { return false }
            index += length
        }
    }

    /// Where the run of ASCII bytes from `index` that need no escaping ends: the first byte
    /// below `below`, at or above 0x80, `"`, `\` or (with `delete`) 0x7F, or `end`.
    /// Eight bytes at a time (the "has a byte less than n" tests from Bit Twiddling Hacks:
    /// exact about whether such a byte exists), then byte by byte.
    @inline(__always)
    package static func plainASCIIEnd(
        _ start: UnsafePointer<UInt8>, from index: Int, to end: Int, below: UInt8, delete: Bool
    ) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let belowBytes = ones &* UInt64(below)
        var index = index
        while index + 8 <= end {
            let word = UnsafeRawPointer(start + index).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            var special = (word &- belowBytes) & ~word
            special |= (quote &- ones) & ~quote
            special |= (backslash &- ones) & ~backslash
            if delete {
                let deleteByte = word ^ (ones &* 0x7F)
                special |= (deleteByte &- ones) & ~deleteByte
            }
            if (special | word) & highBits != 0 { break }
            index += 8
        }
        while index < end {
            let value = start[index]
            if value < below || value >= 0x80 || value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\")
                || (delete && value == 0x7F)
            {
                break
            }
            index += 1
        }
        return index
    }

    // MARK: Helpers

    /// The bytes of `value` (contiguous for native strings; copied only for bridged ones).
    @inline(__always)
    package static func withUTF8<Result>(_ value: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = value.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(value.utf8).withUnsafeBufferPointer(body)
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    /// The length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
    /// nothing past U+10FFFF) starting at `index`, or `nil`.
    package static func validSequenceLength(_ source: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let lead = source[index]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: return nil
        }
        guard index + length <= source.count else { return nil }
        let second = source[index + 1]
        guard second >= secondLow && second <= secondHigh else { return nil }
        for offset in 2..<max(2, length) where source[index + offset] & 0xC0 != 0x80 { return nil }
        return length
    }
}
