/// Base64 for ProtoJSON `bytes`: the standard and the URL-safe alphabet,
/// with or without `=` padding.
enum JSONReaderBase64 {
    /// 0...63 for alphabet bytes (both alphabets), 0xFF otherwise.
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        for (i, c) in letters.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(UInt8(ascii: "+"))] = 62
        t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "/"))] = 63
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Appends the decoded bytes of `count` base64 characters at `p`.
    /// Returns false (leaving `out` possibly extended) on a character outside
    /// the alphabets or a length that cannot be base64.
    static func decode<Sink: JSONReaderByteSink>(_ p: UnsafePointer<UInt8>, count: Int, into out: inout Sink) -> Bool {
        var n = count
        var padding = 0
        while n > 0 && p[n - 1] == UInt8(ascii: "=") && padding < 2 {
            n -= 1
            padding += 1
        }
        if n % 4 == 1 { return false }
        if padding > 0 && (n + padding) % 4 != 0 { return false }
        let t = table
        return t.withUnsafeBufferPointer { t in
            var i = 0
            while i + 4 <= n {
                let a = t[Int(p[i])], b = t[Int(p[i + 1])], c = t[Int(p[i + 2])], d = t[Int(p[i + 3])]
                if (a | b | c | d) & 0xC0 != 0 { return false }
                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out.append(UInt8(truncatingIfNeeded: v >> 16))
                out.append(UInt8(truncatingIfNeeded: v >> 8))
                out.append(UInt8(truncatingIfNeeded: v))
                i += 4
            }
            let rest = n - i
            if rest >= 2 {
                let a = t[Int(p[i])], b = t[Int(p[i + 1])]
                let c = rest == 3 ? t[Int(p[i + 2])] : 0
                if (a | b | c) & 0xC0 != 0 { return false }
                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                out.append(UInt8(truncatingIfNeeded: v >> 16))
                if rest == 3 { out.append(UInt8(truncatingIfNeeded: v >> 8)) }
            }
            return true
        }
    }

    /// The decoded size of `count` characters (an upper bound when padding is present).
    static func decodedCount(_ count: Int) -> Int { count / 4 * 3 + max(0, count % 4 - 1) }
}
