#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Number text -> values, on byte ranges already matched against the JSON
/// number grammar (``JSONReader/numberEnd(_:from:to:)``).
enum JSONReaderNumbers {
    /// An integer as sign and magnitude, so that every 64-bit type can range-check it.
    struct Integer {
        var negative: Bool
        var magnitude: UInt64
    }

    enum IntegerFailure: Error {
        /// Not an integer (a fraction, or not a number at all).
        case notInteger
        /// Integral but beyond 64 bits.
        case outOfRange
    }

    /// Parses an integral number written in the JSON grammar (`12`, `-3`,
    /// `1.0`, `1e2`). Forms with a fraction or exponent go through a double,
    /// as ProtoJSON parsers do, and must be integral.
    static func integer(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, integral: Bool) throws(IntegerFailure) -> Integer {
        if integral {
            var i = start
            let negative = base[i] == 0x2D
            if negative { i += 1 }
            var value: UInt64 = 0
            while i < end {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(base[i] &- 0x30))
                if o1 || o2 { throw .outOfRange }
                value = s
                i += 1
            }
            return Integer(negative: negative, magnitude: value)
        }
        let d = double(base, start, end)
        guard d.isFinite else { throw .outOfRange }
        guard d.rounded(.towardZero) == d else { throw .notInteger }
        let magnitude = d.magnitude
        guard magnitude < 18446744073709551616.0 else { throw .outOfRange }
        return Integer(negative: d < 0, magnitude: UInt64(magnitude))
    }

    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Converts a grammar-valid JSON number to the nearest double (±infinity on overflow).
    static func double(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double {
        // Fast path (Clinger): at most 15 significant digits and a small
        // power of ten are exact in a double, so one multiply or divide rounds correctly.
        var i = start
        let negative = base[i] == 0x2D
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var exact = true
        while i < end, base[i] >= 0x30 && base[i] <= 0x39 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(base[i] - 0x30)
                if mantissa != 0 { digits += 1 }
            } else {
                exact = false
            }
            i += 1
        }
        if i < end && base[i] == 0x2E {
            i += 1
            while i < end, base[i] >= 0x30 && base[i] <= 0x39 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(base[i] - 0x30)
                    if mantissa != 0 { digits += 1 }
                    scale -= 1
                } else {
                    exact = false
                }
                i += 1
            }
        }
        if i < end && (base[i] == 0x65 || base[i] == 0x45) {
            i += 1
            var expNegative = false
            if base[i] == 0x2B {
                i += 1
            } else if base[i] == 0x2D {
                expNegative = true
                i += 1
            }
            var e = 0
            while i < end, base[i] >= 0x30 && base[i] <= 0x39 {
                if e < 100_000 { e = e * 10 + Int(base[i] - 0x30) }
                i += 1
            }
            scale += expNegative ? -e : e
        }
        if exact && digits <= 15 {
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            if scale >= 0 && scale <= 22 {
                let v = Double(mantissa) * exactPowers[scale]
                return negative ? -v : v
            } else if scale < 0 && scale >= -22 {
                let v = Double(mantissa) / exactPowers[-scale]
                return negative ? -v : v
            }
        }
        return slowDouble(base, start, end)
    }

    private static func slowDouble(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double {
        let count = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for k in 0..<count { buffer[k] = CChar(bitPattern: base[start + k]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
