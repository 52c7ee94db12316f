@testable import Edge
import Transcoder
import XCTest

final class OpenAPIPathTests: XCTestCase {
    func testSingleSegmentVariablesKeepTheirFieldPath() throws {
        let path = OpenAPIPath(template: try PathTemplate(parsing: "/v1/shelves/{shelf}/books/{book.id}:get"), reserved: [])
        XCTAssertEqual(path.path, "/v1/shelves/{shelf}/books/{book.id}:get")
        XCTAssertEqual(path.parameters.map(\.wholeVariable), [true, true])
    }

    func testMultiSegmentVariablesAreExpandedWithSingularNames() throws {
        let path = OpenAPIPath(template: try PathTemplate(parsing: "/v1/{name=shelves/*/categories/*/boxes/*}"), reserved: [])
        XCTAssertEqual(path.path, "/v1/shelves/{shelf}/categories/{category}/boxes/{box}")
        XCTAssertEqual(path.parameters.map(\.segmentPosition), [0, 1, 2])
        XCTAssertEqual(path.parameters.map(\.fieldPath), [["name"], ["name"], ["name"]])
    }

    func testNamesNeverClash() throws {
        let path = OpenAPIPath(template: try PathTemplate(parsing: "/v1/{a=books/*}/{b=books/*}"), reserved: ["book"])
        XCTAssertEqual(path.path, "/v1/books/{a_book}/books/{b_book}")
        let again = OpenAPIPath(template: try PathTemplate(parsing: "/v1/{a=x/*/x/*}"), reserved: [])
        XCTAssertEqual(again.path, "/v1/x/{x}/x/{a_x}")
    }

    func testRestOfPath() throws {
        let path = OpenAPIPath(template: try PathTemplate(parsing: "/v1/{name=files/**}"), reserved: [])
        XCTAssertEqual(path.path, "/v1/files/{file}")
        XCTAssertEqual(path.parameters.first?.rest, true)
    }
}
