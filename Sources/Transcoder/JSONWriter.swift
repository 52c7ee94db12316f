/// Appends JSON string literals, validating UTF-8 on the way.
enum JSONWriter {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `"…"` for `count` UTF-8 bytes at `source`, escaping `"`, `\` and
    /// control characters. Returns the offset (from `source`) of the first byte
    /// that is not valid UTF-8, or nil when the string was written.
    @inline(__always)
    static func appendQuoted(_ source: UnsafeRawPointer, count: Int, into output: inout JSONOutput) -> Int? {
        if isPlainASCII(source, count: count) {
            // The common case (names, SKUs, tags): quote, one copy, quote.
            let out = output.appendUninitialized(count + 2)
            out[0] = UInt8(ascii: "\"")
            if count > 0 { JSONOutput.copy(source, to: out + 1, count: count) }
            out[count + 1] = UInt8(ascii: "\"")
            return nil
        }
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        while i < count {
            // Eight plain ASCII bytes at a time: none < 0x20, >= 0x80, '"' or '\\'.
            while i + 8 <= count && isPlainASCII(source.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
            }
            guard i < count else { break }
            let b = source.load(fromByteOffset: i, as: UInt8.self)
            if b >= 0x20 && b < 0x80 {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                    flush(source, runStart, i, into: &output)
                    output.append(UInt8(ascii: "\\"))
                    output.append(b)
                    runStart = i + 1
                }
                i += 1
            } else if b < 0x20 {
                flush(source, runStart, i, into: &output)
                appendControl(b, into: &output)
                i += 1
                runStart = i
            } else {
                let length = UTF8Validation.sequenceLength(source, at: i, count: count)
                if length == 0 { return i }
                i += length
            }
        }
        flush(source, runStart, count, into: &output)
        output.append(UInt8(ascii: "\""))
        return nil
    }

    /// Whether none of `count` bytes at `source` needs escaping or UTF-8
    /// validation: eight at a time, the last (or only) partial word read as
    /// the overlapping last eight bytes, or padded with spaces when shorter.
    @inline(__always)
    static func isPlainASCII(_ source: UnsafeRawPointer, count: Int) -> Bool {
        if count < 8 {
            var word: UInt64 = 0x2020_2020_2020_2020
            if count > 0 { withUnsafeMutableBytes(of: &word) { $0.baseAddress!.copyMemory(from: source, byteCount: count) } }
            return isPlainASCII(word)
        }
        var i = 0
        while i + 8 <= count {
            if !isPlainASCII(source.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return false }
            i += 8
        }
        return i == count || isPlainASCII(source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    /// SWAR test (byte order independent): true when no byte of `w` needs
    /// escaping or UTF-8 validation.
    @inline(__always)
    static func isPlainASCII(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A byte b has (b - x) borrow into its high bit iff b < x (for b < 0x80).
        let control = (w &- ones &* 0x20) & ~w & highs
        let quote = ((w ^ (ones &* 0x22)) &- ones) & ~(w ^ (ones &* 0x22)) & highs
        let backslash = ((w ^ (ones &* 0x5C)) &- ones) & ~(w ^ (ones &* 0x5C)) & highs
        return (control | quote | backslash | (w & highs)) == 0
    }

    /// Appends an ASCII-only Swift string as a JSON string (names known at plan time).
    static func appendQuoted(_ string: String, into output: inout [UInt8]) {
        var copy = string
        output += copy.withUTF8 { utf8 in
            JSONOutput.collect { (quoted: inout JSONOutput) in
                _ = appendQuoted(UnsafeRawPointer(utf8.baseAddress ?? UnsafePointer(bitPattern: 1)!), count: utf8.count, into: &quoted)
            }
        }
    }

    @inline(__always)
    private static func flush(_ source: UnsafeRawPointer, _ from: Int, _ to: Int, into output: inout JSONOutput) {
        if to > from {
            // Typed and contiguous, so the append is one memcpy.
            output.append(contentsOf: UnsafeBufferPointer(start: (source + from).assumingMemoryBound(to: UInt8.self), count: to - from))
        }
    }

    private static func appendControl(_ b: UInt8, into output: inout JSONOutput) {
        output.append(UInt8(ascii: "\\"))
        switch b {
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        default:
            for byte in [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0x0F)]] { output.append(byte) }
        }
    }
}
