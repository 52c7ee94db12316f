import XCTest
@testable import Transcoder

final class TranscodeErrorTests: XCTestCase {
    func testDescriptionNamesPath() {
        let e = TranscodeError(.invalidValue, path: "variants[2].stock", "expected int32, got \"abc\"")
        XCTAssertEqual(e.description, "variants[2].stock: expected int32, got \"abc\"")
        let m = TranscodeError(.malformedJSON, "unexpected end of input", offset: 17)
        XCTAssertEqual(m.description, "unexpected end of input (at byte 17)")
    }
}
