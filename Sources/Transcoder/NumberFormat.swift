#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends numbers in their ProtoJSON text form without allocating.
enum NumberFormat {
    private static let digitPairs: [UInt8] = {
        var table = [UInt8]()
        table.reserveCapacity(200)
        for i in 0..<100 {
            table.append(UInt8(48 + i / 10))
            table.append(UInt8(48 + i % 10))
        }
        return table
    }()

    @inline(__always)
    static func appendUInt64(_ value: UInt64, into output: inout JSONOutput) {
        if value < 10 {
            output.append(UInt8(truncatingIfNeeded: 48 &+ value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var i = 20
            var x = value
            digitPairs.withUnsafeBufferPointer { pairs in
                while x >= 100 {
                    let r = Int(x % 100)
                    x /= 100
                    i -= 2
                    buffer[i] = pairs[2 * r]
                    buffer[i + 1] = pairs[2 * r + 1]
                }
                if x >= 10 {
                    i -= 2
                    buffer[i] = pairs[2 * Int(x)]
                    buffer[i + 1] = pairs[2 * Int(x) + 1]
                } else {
                    i -= 1
                    buffer[i] = UInt8(truncatingIfNeeded: 48 &+ x)
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i..<20]))
        }
    }

    @inline(__always)
    static func appendInt64(_ value: Int64, into output: inout JSONOutput) {
        if value < 0 {
            output.append(UInt8(ascii: "-"))
            appendUInt64(value.magnitude, into: &output)
        } else {
            appendUInt64(UInt64(value), into: &output)
        }
    }

    /// A 64-bit integer as a JSON string (`"123"`), as ProtoJSON prints int64 kinds.
    @inline(__always)
    static func appendQuotedInt64(_ value: Int64, into output: inout JSONOutput) {
        output.append(UInt8(ascii: "\""))
        appendInt64(value, into: &output)
        output.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func appendQuotedUInt64(_ value: UInt64, into output: inout JSONOutput) {
        output.append(UInt8(ascii: "\""))
        appendUInt64(value, into: &output)
        output.append(UInt8(ascii: "\""))
    }

    /// Shortest round-trip form; `"NaN"`, `"Infinity"`, `"-Infinity"` as strings.
    static func appendDouble(_ value: Double, into output: inout JSONOutput) {
        if !value.isFinite {
            appendNonFinite(isNaN: value.isNaN, negative: value < 0, into: &output)
            return
        }
        // Integral values (the common prices and counts) without the ".0".
        if value.magnitude < 9_007_199_254_740_992, value == value.rounded(.towardZero),
            !(value == 0 && value.sign == .minus)
        {
            appendInt64(Int64(value), into: &output)
            return
        }
        if appendShortDecimal(value, into: &output) { return }
        // `description` is the shortest round-trip form; it fits a small
        // (inline, unallocated) String for up to 15 characters.
        var text = value.description
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    private static let powersOfTen: (Double, Double, Double, Double) = (10, 100, 1_000, 10_000)

    /// Prices, ratings and sizes (`4.62`, `31.25`): a value that is exactly the
    /// double nearest to n / 10^k for k ≤ 4 and |value| < 2^31 prints as that
    /// decimal, which is what `description` prints (its shortest round-trip form:
    /// the smallest such k gives the fewest digits, and below 2^31 doubles are
    /// closer together than 10^-4, so n is the only candidate), without its
    /// general algorithm and String. Returns false for every other value.
    @inline(__always)
    static func appendShortDecimal(_ value: Double, into output: inout JSONOutput) -> Bool {
        let magnitude = value.magnitude
        guard magnitude < 2_147_483_648, magnitude >= 0.0001 else { return false }
        var k = 0
        var scale = 1.0
        var scaled = 0.0
        while true {
            k += 1
            switch k {
            case 1: scale = powersOfTen.0
            case 2: scale = powersOfTen.1
            case 3: scale = powersOfTen.2
            case 4: scale = powersOfTen.3
            default: return false
            }
            scaled = (magnitude * scale).rounded()
            if scaled / scale == magnitude { break }
        }
        let n = UInt64(scaled)
        let divisor = UInt64(scale)
        if value < 0 { output.append(UInt8(ascii: "-")) }
        appendUInt64(n / divisor, into: &output)
        output.append(UInt8(ascii: "."))
        // The fraction, zero-padded to k digits (its last digit is not 0: k is the smallest).
        let digits = output.appendUninitialized(k)
        var fraction = n % divisor
        var i = k - 1
        while i >= 0 {
            digits[i] = UInt8(truncatingIfNeeded: 48 &+ fraction % 10)
            fraction /= 10
            i -= 1
        }
        return true
    }

    /// A float is printed as the float32's own shortest form, not the widened double's.
    static func appendFloat(_ value: Float, into output: inout JSONOutput) {
        if !value.isFinite {
            appendNonFinite(isNaN: value.isNaN, negative: value < 0, into: &output)
            return
        }
        if value.magnitude < 16_777_216, value == value.rounded(.towardZero), !(value == 0 && value.sign == .minus) {
            appendInt64(Int64(value), into: &output)
            return
        }
        if value.isSubnormal {
            appendSubnormalFloat(value, into: &output)
            return
        }
        var text = value.description
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    /// Python's json_format (`ToShortestFloat`) prints the fewest `%g` digits,
    /// starting at 6, that read back as the same float32. For normal floats that
    /// is the shortest form; for subnormals it keeps more digits, so mirror it.
    private static func appendSubnormalFloat(_ value: Float, into output: inout JSONOutput) {
        let widened = Double(value)
        var precision: Int32 = 6
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
            while true {
                let n = withVaList([precision, widened]) { args in
                    vsnprintf(buffer.baseAddress!, 40, "%.*g", args)
                }
                let parsed = strtod(buffer.baseAddress!, nil)
                if Float(parsed) == value || precision >= 17 {
                    let count = Int(n)
                    buffer.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: count) { p in
                        output.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
                    }
                    return
                }
                precision += 1
            }
        }
    }

    private static func appendNonFinite(isNaN: Bool, negative: Bool, into output: inout JSONOutput) {
        if isNaN {
            output.append(contentsOf: [0x22, 0x4E, 0x61, 0x4E, 0x22])  // "NaN"
        } else if negative {
            output.append(contentsOf: Array("\"-Infinity\"".utf8))
        } else {
            output.append(contentsOf: Array("\"Infinity\"".utf8))
        }
    }
}
