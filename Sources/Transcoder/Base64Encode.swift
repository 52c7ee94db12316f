/// Standard base64 with padding (RFC 4648 §4), as ProtoJSON prints `bytes`.
enum Base64Encode {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends `"<base64>"` (with the quotes) for `count` bytes at `source`.
    static func appendQuoted(_ source: UnsafeRawPointer, count: Int, into output: inout JSONOutput) {
        let encodedCount = (count + 2) / 3 * 4
        let out = output.appendUninitialized(encodedCount + 2)
        out[0] = UInt8(ascii: "\"")
        out[encodedCount + 1] = UInt8(ascii: "\"")
        guard count > 0 else { return }
        alphabet.withUnsafeBufferPointer { table in
            do {
                var o = 1
                var i = 0
                while i + 3 <= count {
                    let b0 = source.load(fromByteOffset: i, as: UInt8.self)
                    let b1 = source.load(fromByteOffset: i + 1, as: UInt8.self)
                    let b2 = source.load(fromByteOffset: i + 2, as: UInt8.self)
                    out[o] = table[Int(b0 >> 2)]
                    out[o + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                    out[o + 2] = table[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                    out[o + 3] = table[Int(b2 & 0x3F)]
                    o += 4
                    i += 3
                }
                let rest = count - i
                if rest > 0 {
                    let b0 = source.load(fromByteOffset: i, as: UInt8.self)
                    let b1: UInt8 = rest == 2 ? source.load(fromByteOffset: i + 1, as: UInt8.self) : 0
                    out[o] = table[Int(b0 >> 2)]
                    out[o + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                    out[o + 2] = rest == 2 ? table[Int((b1 & 0x0F) << 2)] : UInt8(ascii: "=")
                    out[o + 3] = UInt8(ascii: "=")
                }
            }
        }
    }
}
