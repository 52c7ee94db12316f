/// Strict UTF-8 (Unicode Table 3-7: no overlongs, no surrogates, nothing above
/// U+10FFFF), the one rule for every byte string the transcoder reads or writes:
/// JSON strings (``JSONReader``), printed strings (``JSONWriter``), percent-decoded
/// URL parts (``PercentDecoding``) and wire strings.
enum UTF8Validation {
    /// The length of the well-formed sequence starting with the non-ASCII byte at
    /// `i` (of `count` bytes at `s`), or 0 when it is ill-formed.
    @inline(__always)
    static func sequenceLength(_ s: UnsafeRawPointer, at i: Int, count: Int) -> Int {
        let b0 = s.load(fromByteOffset: i, as: UInt8.self)
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            guard i + k < count else { return false }
            let b = s.load(fromByteOffset: i + k, as: UInt8.self)
            return b >= lo && b <= hi
        }
        switch b0 {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0:
            return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(1) && cont(2) ? 3 : 0
        case 0xED:
            return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0:
            return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Whether `count` bytes at `source` are valid UTF-8.
    static func isValid(_ source: UnsafeRawPointer, count: Int) -> Bool {
        var i = 0
        while i < count {
            if source.load(fromByteOffset: i, as: UInt8.self) < 0x80 {
                i += 1
            } else {
                let length = sequenceLength(source, at: i, count: count)
                if length == 0 { return false }
                i += length
            }
        }
        return true
    }

    /// Whether the bytes are valid UTF-8.
    static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { isValid($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: $0.count) }
    }
}
