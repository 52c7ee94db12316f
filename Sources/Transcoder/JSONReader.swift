/// A cursor over JSON bytes: whitespace, structural characters, literals,
/// string and number tokens. It validates as it goes (string escapes, UTF-8,
/// number grammar) and never allocates; values are returned as byte ranges
/// of the input.
///
/// Precondition: `base` points at `end` readable bytes for the reader's life.
struct JSONReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos: Int

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.end = count
        self.pos = 0
    }

    @inline(__always)
    subscript(_ i: Int) -> UInt8 { base[i] }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let b = base[pos]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                pos += 1
            } else {
                return
            }
        }
    }

    /// The next non-whitespace byte (not consumed); throws at end of input.
    @inline(__always)
    mutating func peek() throws(TranscodeError) -> UInt8 {
        skipWhitespace()
        guard pos < end else { throw malformed("unexpected end of input") }
        return base[pos]
    }

    /// Consumes `byte` after optional whitespace.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(TranscodeError) {
        skipWhitespace()
        guard pos < end, base[pos] == byte else {
            throw malformed(pos < end ? "expected \(what)" : "unexpected end of input")
        }
        pos += 1
    }

    /// After a value inside an object or array: consumes `,` (returns true) or `close` (returns false).
    @inline(__always)
    mutating func nextMember(close: UInt8) throws(TranscodeError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw malformed("unexpected end of input") }
        let b = base[pos]
        pos += 1
        if b == 0x2C { return true }
        if b == close { return false }
        pos -= 1
        throw malformed(close == 0x7D ? "expected ',' or '}'" : "expected ',' or ']'")
    }

    /// After the opening brace or bracket: consumes `close` if the container is empty.
    @inline(__always)
    mutating func consumeIfEmpty(close: UInt8) throws(TranscodeError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw malformed("unexpected end of input") }
        if base[pos] == close {
            pos += 1
            return true
        }
        return false
    }

    func malformed(_ message: String, at offset: Int? = nil) -> TranscodeError {
        TranscodeError(.malformedJSON, message, offset: offset ?? pos)
    }

    // MARK: literals

    /// Consumes `null` if it is next (after whitespace).
    @inline(__always)
    mutating func consumeNull() throws(TranscodeError) -> Bool {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func literal(_ text: StaticString) throws(TranscodeError) {
        let n = text.utf8CodeUnitCount
        guard end - pos >= n else { throw malformed("invalid literal") }
        let p = text.utf8Start
        for i in 0..<n where base[pos + i] != p[i] {
            throw malformed("invalid literal")
        }
        pos += n
    }

    // MARK: strings

    /// Scans a string token; `pos` must be at the opening quote. Validates
    /// escapes, surrogate pairs and UTF-8. Afterwards `pos` is past the closing quote.
    @inline(__always)
    mutating func scanString() throws(TranscodeError) -> JSONReaderStringToken {
        let start = pos + 1
        var i = start
        // Fast path: plain ASCII without escapes, eight bytes at a time
        // (SWAR: a word has none of `"`, `\\`, < 0x20, >= 0x80 when all tests are 0).
        while i + 8 <= end {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | (w &- ones &* 0x20) | w
            if special & highs != 0 { break }
            i += 8
        }
        while i < end {
            let b = base[i]
            if b == 0x22 {
                pos = i + 1
                return JSONReaderStringToken(start: start, end: i, escaped: false)
            }
            if b == 0x5C || b < 0x20 || b >= 0x80 { break }
            i += 1
        }
        return try scanStringSlow(start: start, from: i)
    }

    mutating func scanStringSlow(start: Int, from: Int) throws(TranscodeError) -> JSONReaderStringToken {
        var i = from
        var escaped = false
        while i < end {
            let b = base[i]
            if b == 0x22 {
                pos = i + 1
                return JSONReaderStringToken(start: start, end: i, escaped: escaped)
            }
            if b == 0x5C {
                escaped = true
                i = try scanEscape(at: i)
            } else if b < 0x20 {
                throw malformed("control character in string", at: i)
            } else if b >= 0x80 {
                i = try scanUTF8(at: i)
            } else {
                i += 1
            }
        }
        throw malformed("unterminated string", at: start - 1)
    }

    /// Validates one escape at `i` (the backslash); returns the index after it.
    private func scanEscape(at i: Int) throws(TranscodeError) -> Int {
        guard i + 1 < end else { throw malformed("unterminated string", at: i) }
        switch base[i + 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            return i + 2
        case 0x75:
            guard let unit = hex4(at: i + 2) else { throw malformed("invalid \\u escape", at: i) }
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw TranscodeError(.invalidUTF8, "lone low surrogate in \\u escape", offset: i)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard i + 11 < end, base[i + 6] == 0x5C, base[i + 7] == 0x75,
                    let low = hex4(at: i + 8), low >= 0xDC00 && low <= 0xDFFF
                else {
                    throw TranscodeError(.invalidUTF8, "lone high surrogate in \\u escape", offset: i)
                }
                return i + 12
            }
            return i + 6
        default:
            throw malformed("invalid escape in string", at: i)
        }
    }

    func hex4(at i: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// Validates one multi-byte UTF-8 sequence at `i`; returns the index after it.
    private func scanUTF8(at i: Int) throws(TranscodeError) -> Int {
        let length = UTF8Validation.sequenceLength(UnsafeRawPointer(base), at: i, count: end)
        guard length > 0 else { throw TranscodeError(.invalidUTF8, "invalid UTF-8 in string", offset: i) }
        return i + length
    }

    /// Appends the decoded bytes of a scanned string token.
    func decode<Sink: JSONReaderByteSink>(_ token: JSONReaderStringToken, into out: inout Sink) {
        if !token.escaped {
            out.append(contentsOf: UnsafeBufferPointer(start: base + token.start, count: token.end - token.start))
            return
        }
        var i = token.start
        while i < token.end {
            let b = base[i]
            if b != 0x5C {
                out.append(b)
                i += 1
                continue
            }
            let e = base[i + 1]
            switch e {
            case 0x62: out.append(0x08); i += 2
            case 0x66: out.append(0x0C); i += 2
            case 0x6E: out.append(0x0A); i += 2
            case 0x72: out.append(0x0D); i += 2
            case 0x74: out.append(0x09); i += 2
            case 0x75:
                var scalar = hex4(at: i + 2) ?? 0xFFFD
                i += 6
                if scalar >= 0xD800 && scalar <= 0xDBFF, let low = hex4(at: i + 2) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                Self.appendUTF8(scalar, &out)
            default: out.append(e); i += 2
            }
        }
    }

    static func appendUTF8<Sink: JSONReaderByteSink>(_ s: UInt32, _ out: inout Sink) {
        if s < 0x80 {
            out.append(UInt8(s))
        } else if s < 0x800 {
            out.append(UInt8(0xC0 | (s >> 6)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            out.append(UInt8(0xE0 | (s >> 12)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        } else {
            out.append(UInt8(truncatingIfNeeded: 0xF0 | (s >> 18)))
            out.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    /// The decoded text of a token, for error messages and rare slow paths only.
    func string(_ token: JSONReaderStringToken) -> String {
        var bytes: [UInt8] = []
        decode(token, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the token's decoded bytes equal `text` (ASCII, unescaped tokens only match).
    func equals(_ token: JSONReaderStringToken, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard !token.escaped, token.end - token.start == n else {
            return token.escaped && string(token) == text.description
        }
        let p = text.utf8Start
        for i in 0..<n where base[token.start + i] != p[i] { return false }
        return true
    }

    // MARK: numbers

    /// Scans a JSON number at `pos` per RFC 8259's grammar.
    @inline(__always)
    mutating func scanNumber() throws(TranscodeError) -> JSONReaderNumberToken {
        let start = pos
        guard let (stop, integral) = Self.numberEnd(base, from: pos, to: end) else {
            throw malformed("invalid number")
        }
        pos = stop
        return JSONReaderNumberToken(start: start, end: stop, integral: integral)
    }

    /// Matches the JSON number grammar from `from`; returns where it stops
    /// and whether it had neither fraction nor exponent. Callers needing the
    /// whole range to be a number compare the end with their range end.
    static func numberEnd(_ base: UnsafePointer<UInt8>, from: Int, to end: Int) -> (Int, Bool)? {
        var i = from
        if i < end && base[i] == 0x2D { i += 1 }
        guard i < end else { return nil }
        if base[i] == 0x30 {
            i += 1
        } else if base[i] >= 0x31 && base[i] <= 0x39 {
            i += 1
            while i < end && base[i] >= 0x30 && base[i] <= 0x39 { i += 1 }
        } else {
            return nil
        }
        var integral = true
        if i < end && base[i] == 0x2E {
            integral = false
            i += 1
            let d = i
            while i < end && base[i] >= 0x30 && base[i] <= 0x39 { i += 1 }
            guard i > d else { return nil }
        }
        if i < end && (base[i] == 0x65 || base[i] == 0x45) {
            integral = false
            i += 1
            if i < end && (base[i] == 0x2B || base[i] == 0x2D) { i += 1 }
            let d = i
            while i < end && base[i] >= 0x30 && base[i] <= 0x39 { i += 1 }
            guard i > d else { return nil }
        }
        return (i, integral)
    }

    // MARK: skipping

    /// Skips one value, validating it, with `depth` the nesting of the value itself.
    mutating func skipValue(depth: Int, maxDepth: Int) throws(TranscodeError) {
        let b = try peek()
        switch b {
        case 0x22:
            _ = try scanString()
        case 0x7B:
            guard depth <= maxDepth else { throw TranscodeError(.tooDeep, "nesting deeper than \(maxDepth)", offset: pos) }
            pos += 1
            if try consumeIfEmpty(close: 0x7D) { return }
            repeat {
                guard try peek() == 0x22 else { throw malformed("expected object key") }
                _ = try scanString()
                try expect(0x3A, "':'")
                try skipValue(depth: depth + 1, maxDepth: maxDepth)
            } while try nextMember(close: 0x7D)
        case 0x5B:
            guard depth <= maxDepth else { throw TranscodeError(.tooDeep, "nesting deeper than \(maxDepth)", offset: pos) }
            pos += 1
            if try consumeIfEmpty(close: 0x5D) { return }
            repeat {
                try skipValue(depth: depth + 1, maxDepth: maxDepth)
            } while try nextMember(close: 0x5D)
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        default:
            _ = try scanNumber()
        }
    }

    /// A short rendering of the value at `pos` for error messages (does not move).
    func snippet(from start: Int) -> String {
        var i = start
        let limit = min(end, start + 40)
        var depth = 0
        var inString = false
        while i < limit {
            let b = base[i]
            if inString {
                if b == 0x5C { i += 1 } else if b == 0x22 { inString = false; if depth == 0 { i += 1; break } }
            } else if b == 0x22 {
                inString = true
            } else if b == 0x7B || b == 0x5B {
                depth += 1
            } else if b == 0x7D || b == 0x5D {
                if depth == 0 { break }
                depth -= 1
                if depth == 0 { i += 1; break }
            } else if depth == 0 && (b == 0x2C || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) {
                break
            }
            i += 1
        }
        i = min(i, end)
        var text = String(decoding: UnsafeBufferPointer(start: base + start, count: max(0, i - start)), as: UTF8.self)
        if i < end && i == limit { text += "…" }
        return text
    }
}
