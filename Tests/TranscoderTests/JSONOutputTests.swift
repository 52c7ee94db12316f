import XCTest
@testable import Transcoder

/// The printer's raw output buffer and the fast paths that write into it
/// directly: each must print what the general path prints.
final class JSONOutputTests: XCTestCase {
    private func printed(_ body: (inout JSONOutput) -> Void) -> String {
        String(decoding: JSONOutput.collect(capacity: 1) { (out: inout JSONOutput) in body(&out) }, as: UTF8.self)
    }

    func testGrowsAndTruncates() {
        var expected: [UInt8] = []
        let bytes = JSONOutput.collect(capacity: 1) { (out: inout JSONOutput) in
            for i in 0..<1_000 {
                out.append(UInt8(truncatingIfNeeded: i))
                expected.append(UInt8(truncatingIfNeeded: i))
                if i % 7 == 0 {
                    let run: [UInt8] = Array(repeating: UInt8(i % 251), count: i % 130)
                    out.append(contentsOf: run)
                    expected += run
                }
            }
            let mark = out.count
            out.append(contentsOf: [1, 2, 3])
            out.removeSubrange(mark...)
        }
        XCTAssertEqual(bytes, expected)
    }

    /// `appendDouble`'s short-decimal path against `description` (the general path).
    func testShortDecimalsPrintAsDescription() {
        var values: [Double] = [4.62, 12.5, 31.25, 18.75, 0.1, 0.2, 0.3, 0.7, 1.1, 2.675, 0.0001, 0.0005, 0.001, 0.015,
                                 1e-5, 1.5e-4, 2147483647.5, 2147483648.5, 1e15 + 0.5, 123456.789, 0.1 + 0.2, 1.0 / 3.0]
        for k in 1...5 {
            let scale = [1.0, 10, 100, 1_000, 10_000, 100_000][k]
            for n in stride(from: 1, to: 200_000, by: 37) { values.append(Double(n) / scale) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            values.append(Double(Int.random(in: 1...99_999_999, using: &generator)) / 10_000)
            values.append(Double.random(in: 0.00001...3e9, using: &generator))
        }
        for value in values + values.map({ -$0 }) where value.rounded(.towardZero) != value {
            XCTAssertEqual(printed { NumberFormat.appendDouble(value, into: &$0) }, value.description, "\(value)")
        }
    }

    /// The plain-ASCII fast path of `appendQuoted` against the byte-by-byte path.
    func testQuotedStringsOfEveryShortLength() {
        let alphabet: [UInt8] = Array("ab\"\\\u{01}\u{7f}é ".utf8)
        for length in 0..<20 {
            for variant in 0..<alphabet.count {
                var bytes = Array(repeating: UInt8(ascii: "x"), count: length)
                if length > 0 { bytes[variant % length] = alphabet[variant] }
                if !UTF8Validation.isValid(bytes, count: bytes.count) { continue }
                let text = String(decoding: bytes, as: UTF8.self)
                var expected = "\""
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "\"": expected += "\\\""
                    case "\\": expected += "\\\\"
                    case "\u{01}": expected += "\\u0001"
                    default: expected.unicodeScalars.append(scalar)
                    }
                }
                expected += "\""
                XCTAssertEqual(
                    printed { out in _ = bytes.withUnsafeBytes { JSONWriter.appendQuoted($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: $0.count, into: &out) } },
                    expected, "\(bytes)")
            }
        }
    }
}
