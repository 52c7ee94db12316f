import XCTest

@testable import Edge
@testable import EdgeConfig

/// The one service → cluster map: configuration checks, discovery and the upstream client.
final class ClusterMapTests: XCTestCase {
    func testLongestMatchWins() {
        let map = ClusterMap(["acme": "a", "acme.shop.v1": "b", "acme.shop.v1.Cart": "c", "*": "d"])
        XCTAssertEqual(map.cluster(forService: "acme.shop.v1.Cart"), "c")
        XCTAssertEqual(map.cluster(forService: "acme.shop.v1.Orders"), "b")
        XCTAssertEqual(map.cluster(forService: "acme.billing.Invoices"), "a")
        XCTAssertEqual(map.cluster(forService: "other.Service"), "d")
    }

    func testPrefixMustEndAtADot() {
        let map = ClusterMap(["acme.shop": "a"])
        XCTAssertNil(map.cluster(forService: "acme.shopping.Cart"))
        XCTAssertEqual(map.cluster(forService: "acme.shop.Cart"), "a")
        XCTAssertEqual(map.cluster(forService: "acme.shop"), "a")
    }

    func testNoDefault() {
        XCTAssertNil(ClusterMap([:]).cluster(forService: "x.Y"))
    }

    /// The configuration's map and the upstream client's are the same map: `shop.v1.*`
    /// is the package prefix `shop.v1`, an exact name wins over a shorter prefix.
    func testConfigurationAndUpstreamAgree() {
        let clusters = [
            EdgeConfig.Cluster(name: "a", endpoints: [], services: ["shop.v1.*"]),
            EdgeConfig.Cluster(name: "b", endpoints: [], services: ["shop.v1.Cart", "users"]),
        ]
        let fromConfig = ClusterMap(clusters: clusters)
        let fromPairs = ClusterMap(["shop.v1.*": "a", "shop.v1.Cart": "b", "users": "b"])
        for service in ["shop.v1.Catalog", "shop.v1.Cart", "shop.v1x.Cart", "users.Accounts", "usersx.Accounts", "shop.v1"] {
            XCTAssertEqual(fromConfig.cluster(forService: service), fromPairs.cluster(forService: service), service)
        }
        XCTAssertEqual(fromConfig.cluster(forService: "shop.v1.Catalog"), "a")
        XCTAssertEqual(fromConfig.cluster(forService: "shop.v1.Cart"), "b")
        XCTAssertNil(fromConfig.cluster(forService: "shop.v1x.Cart"))
    }
}
