import Foundation
import XCTest

@testable import Edge
@testable import EdgeConfig

/// `listen.max_connections`, a cluster's `max_requests` and a route's (or the defaults')
/// `max_in_flight`: parsed, resolved per route, and every mistake named.
final class OverloadConfigTests: XCTestCase {
    private func parse(_ yaml: String) -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(yaml: yaml, file: "test.yaml", baseDirectory: "", checkFiles: false)
    }

    private func problems(_ yaml: String) -> [String] {
        switch parse(yaml) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    private func document(listen: String = "", cluster: String = "", defaults: String = "", routes: String = "") -> String {
        """
        listen: {port: 8080\(listen.isEmpty ? "" : ", " + listen)}
        descriptors: [api.protoset]
        clusters: [{name: shop, endpoints: ["127.0.0.1:50051"], services: [shop.v1]\(cluster.isEmpty ? "" : ", " + cluster)}]
        defaults: {\(defaults)}
        routes: {\(routes)}
        """
    }

    func testTheKeysParse() throws {
        let config = try parse(document(
            listen: "max_connections: 10000", cluster: "max_requests: 1000", defaults: "max_in_flight: 100",
            routes: #""GET /v1/a": {max_in_flight: 5}, "shop.v1.S.B": {max_in_flight: unlimited}"#)).get()
        XCTAssertEqual(config.listen.server.maxConnections, 10000)
        XCTAssertEqual(config.clusters.first?.maxRequests, 1000)
        XCTAssertEqual(config.defaults.maxInFlight, 100)
        XCTAssertEqual(config.routes.map(\.options.maxInFlight), [5, 0])
    }

    func testNoCapsByDefault() throws {
        let config = try parse(document()).get()
        XCTAssertNil(config.listen.server.maxConnections)
        XCTAssertNil(config.clusters.first?.maxRequests)
        XCTAssertNil(config.defaults.maxInFlight)
        XCTAssertNil(RoutePolicies(config: config).settings(method: "shop.v1.S.A", httpMethod: "GET", pattern: "/v1/a").access.maxInFlight)
    }

    /// defaults ← method entry ← HTTP-rule entry, as for every route option; the label the
    /// route's count is kept under is its HTTP rule.
    func testEachRouteResolvesItsCap() throws {
        let config = try parse(document(
            defaults: "max_in_flight: 100",
            routes: #""GET /v1/a": {max_in_flight: 5}, "shop.v1.S.B": {max_in_flight: unlimited}, "shop.v1.S.C": {max_in_flight: 7}, "GET /v1/c": {timeout: 1s}"#)).get()
        let policies = RoutePolicies(config: config)
        let a = policies.settings(method: "shop.v1.S.A", httpMethod: "GET", pattern: "/v1/a").access
        XCTAssertEqual(a.maxInFlight, 5)
        XCTAssertEqual(a.inFlightLabel, "GET /v1/a")
        let b = policies.settings(method: "shop.v1.S.B", httpMethod: "GET", pattern: "/v1/b").access
        XCTAssertNil(b.maxInFlight, "unlimited lifts the defaults' cap")
        XCTAssertNil(b.inFlightLabel)
        let c = policies.settings(method: "shop.v1.S.C", httpMethod: "GET", pattern: "/v1/c").access
        XCTAssertEqual(c.maxInFlight, 7)
        XCTAssertEqual(c.inFlightLabel, "GET /v1/c")
        let other = policies.settings(method: "shop.v1.S.D", httpMethod: "POST", pattern: "/v1/d").access
        XCTAssertEqual(other.maxInFlight, 100)
        XCTAssertEqual(other.inFlightLabel, "POST /v1/d")
        XCTAssertNotEqual(other, policies.settings(method: "shop.v1.S.E", httpMethod: "POST", pattern: "/v1/e").access,
            "two capped routes never share a chain, hence a count")
    }

    func testMistakesAreNamed() {
        XCTAssertEqual(problems(document(listen: "max_connections: 0")), [
            "listen.max_connections (line 1): must be between 1 and 10000000, got 0",
        ])
        XCTAssertEqual(problems(document(cluster: "max_requests: lots")), [
            "clusters[0].max_requests (line 3): expected an integer, got 'lots'",
        ])
        XCTAssertEqual(problems(document(defaults: "max_in_flight: -1")), [
            "defaults.max_in_flight (line 4): must be between 1 and 10000000 (or 'unlimited'), got -1",
        ])
        XCTAssertEqual(problems(document(routes: #""GET /v1/a": {max_in_flight: many}"#)), [
            #"routes["GET /v1/a"].max_in_flight (line 5): expected a number of requests or 'unlimited', got 'many'"#,
        ])
        XCTAssertEqual(problems(document(routes: #""GET /v1/a": {max_in_flight: [1]}"#)).count, 1)
        XCTAssertTrue(problems(document(listen: "max_conections: 5")).first?.contains("unknown key 'max_conections'") ?? false)
    }
}
