import XCTest

@testable import Edge

final class UpstreamServiceMapTests: XCTestCase {
    func testLongestMatchWins() {
        let map = UpstreamServiceMap(["acme": "a", "acme.shop.v1": "b", "acme.shop.v1.Cart": "c", "*": "d"])
        XCTAssertEqual(map.cluster(forService: "acme.shop.v1.Cart"), "c")
        XCTAssertEqual(map.cluster(forService: "acme.shop.v1.Orders"), "b")
        XCTAssertEqual(map.cluster(forService: "acme.billing.Invoices"), "a")
        XCTAssertEqual(map.cluster(forService: "other.Service"), "d")
    }

    func testPrefixMustEndAtADot() {
        let map = UpstreamServiceMap(["acme.shop": "a"])
        XCTAssertNil(map.cluster(forService: "acme.shopping.Cart"))
        XCTAssertEqual(map.cluster(forService: "acme.shop.Cart"), "a")
        XCTAssertEqual(map.cluster(forService: "acme.shop"), "a")
    }

    func testNoDefault() {
        XCTAssertNil(UpstreamServiceMap([:]).cluster(forService: "x.Y"))
    }
}
