import XCTest

@testable import Transcoder

final class PercentDecodingTests: XCTestCase {
    func testModes() throws {
        XCTAssertEqual(try PercentDecoding.decode("a%2Fb%20c%2fd", mode: .all), "a/b c/d")
        XCTAssertEqual(try PercentDecoding.decode("a%2Fb%20c%2fd", mode: .exceptReserved), "a%2Fb c%2fd")
        // Every RFC 6570 reserved character stays encoded in multi-segment values.
        XCTAssertEqual(
            try PercentDecoding.decode("%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D", mode: .exceptReserved),
            "%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D")
        XCTAssertEqual(try PercentDecoding.decode("%7E%41%2d", mode: .exceptReserved), "~A-")
        XCTAssertEqual(try PercentDecoding.decode("a+b%2Bc", mode: .query), "a b+c")
        XCTAssertEqual(try PercentDecoding.decode("a+b", mode: .all), "a+b")
    }

    func testUTF8() throws {
        XCTAssertEqual(try PercentDecoding.decode("%E2%82%AC%F0%9F%98%80", mode: .all), "€😀")
        XCTAssertEqual(try PercentDecoding.decode("é", mode: .all), "é")
        XCTAssertThrowsError(try PercentDecoding.decode("%C3", mode: .all))
        XCTAssertThrowsError(try PercentDecoding.decode("%ED%A0%80", mode: .all))  // surrogate
        XCTAssertThrowsError(try PercentDecoding.decode("%C0%AF", mode: .all))  // overlong
        XCTAssertThrowsError(try PercentDecoding.decode("%FF", mode: .all))
        XCTAssertFalse(PercentDecoding.isValidUTF8([0xF4, 0x90, 0x80, 0x80][...]))  // > U+10FFFF
        XCTAssertTrue(PercentDecoding.isValidUTF8([0xF4, 0x8F, 0xBF, 0xBF][...]))
    }

    func testBadEscapes() {
        for (input, offset) in [("%", 0), ("a%2", 1), ("ab%g1", 2), ("%%41", 0), ("x%4", 1)] {
            XCTAssertThrowsError(try PercentDecoding.decode(input, mode: .all)) { error in
                XCTAssertEqual((error as? PercentDecoding.Failure)?.offset, offset, input)
            }
        }
    }
}
