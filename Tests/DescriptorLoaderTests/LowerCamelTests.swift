import XCTest
@testable import DescriptorLoader

final class LowerCamelTests: XCTestCase {
    func testDefaultJSONNames() {
        XCTAssertEqual(SchemaBuilder.lowerCamel("price_micros"), "priceMicros")
        XCTAssertEqual(SchemaBuilder.lowerCamel("in_stock"), "inStock")
        XCTAssertEqual(SchemaBuilder.lowerCamel("id"), "id")
        XCTAssertEqual(SchemaBuilder.lowerCamel("a_b_c"), "aBC")
    }
}
