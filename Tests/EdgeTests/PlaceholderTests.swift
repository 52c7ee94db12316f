import XCTest
@testable import Edge

final class EdgePlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
