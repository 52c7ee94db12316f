import Edge
import XCTest
import EdgeTLS

final class TLSServerNameMatcherTests: XCTestCase {
    private let matcher = TLSServerNameMatcher(names: [
        ["a.example.com", "localhost"],
        ["b.example.com", "*.wild.example.com"],
        ["a.example.com", "*.example.com"],
    ])

    func testExactNamesWinAndTheFirstCertificateIsTheDefault() {
        XCTAssertEqual(matcher.certificateIndex(for: "a.example.com"), 0)
        XCTAssertEqual(matcher.certificateIndex(for: "B.Example.COM"), 1, "names are case-insensitive")
        XCTAssertEqual(matcher.certificateIndex(for: "b.example.com."), 1, "a trailing dot is the same name")
        XCTAssertEqual(matcher.certificateIndex(for: nil), 0)
        XCTAssertEqual(matcher.certificateIndex(for: ""), 0)
        XCTAssertEqual(matcher.certificateIndex(for: "other.org"), 0)
    }

    func testWildcardsCoverOneLabel() {
        XCTAssertEqual(matcher.certificateIndex(for: "x.wild.example.com"), 1)
        XCTAssertEqual(matcher.certificateIndex(for: "c.example.com"), 2)
        XCTAssertEqual(matcher.certificateIndex(for: "x.y.wild.example.com"), 0, "a wildcard covers one label only")
        XCTAssertEqual(matcher.certificateIndex(for: "wild.example.com"), 2, "*.example.com covers wild.example.com itself")
        XCTAssertEqual(matcher.certificateIndex(for: "example.com"), 0, "*.example.com does not cover example.com")
        XCTAssertEqual(matcher.certificateIndex(for: ".example.com"), 0)
    }
}
