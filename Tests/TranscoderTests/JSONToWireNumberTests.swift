import XCTest

@testable import Transcoder

/// The number, base64 and time parsers under JSONToWire.
final class JSONToWireNumberTests: XCTestCase {
    func double(_ text: String) -> Double {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { JSONReaderNumbers.double($0.baseAddress!, 0, bytes.count) }
    }

    func testDoubleMatchesCorrectRounding() {
        let samples = [
            "0", "-0", "1", "0.1", "0.2", "0.3", "1.7976931348623157e308", "2.2250738585072014e-308", "5e-324",
            "123456789012345678901234567890", "9007199254740993", "1e22", "1e23", "3.141592653589793238", "-1.5e-7",
            "0.000000000000000000000000000001", "4.9406564584124654e-324", "1e400", "-1e400", "1e-400",
        ]
        for s in samples {
            XCTAssertEqual(double(s).bitPattern, Double(s)!.bitPattern, s)
        }
    }

    func testDoubleRandomDecimals() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let mantissa = rng.next() % 10_000_000_000_000_000
            let exponent = Int(rng.next() % 60) - 30
            let digits = String(mantissa)
            let split = Int(rng.next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(split))
            if text.isEmpty { text = "0" }
            if split < digits.count { text += "." + digits.dropFirst(split) }
            text += "e\(exponent)"
            XCTAssertEqual(double(text).bitPattern, Double(text)!.bitPattern, text)
        }
    }

    func testIntegerForms() throws {
        func int(_ s: String) throws -> JSONReaderNumbers.Integer {
            let b = Array(s.utf8)
            let (stop, integral) = b.withUnsafeBufferPointer { JSONReader.numberEnd($0.baseAddress!, from: 0, to: b.count)! }
            XCTAssertEqual(stop, b.count)
            return try b.withUnsafeBufferPointer { try JSONReaderNumbers.integer($0.baseAddress!, 0, b.count, integral: integral) }
        }
        XCTAssertEqual(try int("18446744073709551615").magnitude, UInt64.max)
        XCTAssertEqual(try int("-0").magnitude, 0)
        XCTAssertEqual(try int("1e2").magnitude, 100)
        XCTAssertEqual(try int("-2.0").negative, true)
        XCTAssertThrowsError(try int("18446744073709551616"))
        XCTAssertThrowsError(try int("1.5"))
        XCTAssertThrowsError(try int("1e20"))
    }

    func testBase64() {
        func decode(_ s: String) -> [UInt8]? {
            var out: [UInt8] = []
            let b = Array(s.utf8)
            let ok = b.withUnsafeBufferPointer { JSONReaderBase64.decode($0.baseAddress!, count: b.count, into: &out) }
            return ok ? out : nil
        }
        XCTAssertEqual(decode("AQIDBA=="), [1, 2, 3, 4])
        XCTAssertEqual(decode("AQIDBA"), [1, 2, 3, 4])
        XCTAssertEqual(decode("-_-_"), [0xFB, 0xFF, 0xBF])
        XCTAssertEqual(decode("+/+/"), [0xFB, 0xFF, 0xBF])
        XCTAssertNil(decode("A"))
        XCTAssertNil(decode("AB=C"))
        XCTAssertNil(decode("AQ==="))
    }

    func testTimestampAndDurationParsers() throws {
        func ts(_ s: String) throws -> (Int64, Int32) {
            let b = Array(s.utf8)
            return try b.withUnsafeBufferPointer { try JSONToWireTime.timestamp($0.baseAddress!, b.count) }
        }
        func dur(_ s: String) throws -> (Int64, Int32) {
            let b = Array(s.utf8)
            return try b.withUnsafeBufferPointer { try JSONToWireTime.duration($0.baseAddress!, b.count) }
        }
        XCTAssertEqual(try ts("2000-03-01T00:00:00Z").0, 951_868_800)
        XCTAssertEqual(try ts("1900-03-01T00:00:00.123Z").1, 123_000_000)
        XCTAssertEqual(try ts("1970-01-01T00:00:00-23:59").0, 86_340)
        XCTAssertThrowsError(try ts("1970-01-01T24:00:00Z"))
        XCTAssertThrowsError(try ts("1970-01-01T00:00:00.Z"))
        XCTAssertThrowsError(try ts("1970-01-01T00:00:00+0100"))
        XCTAssertEqual(try dur("315576000000s").0, 315_576_000_000)
        XCTAssertEqual(try dur("-1.5s").1, -500_000_000)
        XCTAssertThrowsError(try dur("s"))
        XCTAssertThrowsError(try dur("1.s"))
        XCTAssertThrowsError(try dur("+1s"))
        XCTAssertThrowsError(try dur("99999999999999999999999s"))
    }
}
