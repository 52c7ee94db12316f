import Foundation
import NIOCore
import XCTest

@testable import Edge
@testable import EdgeConfig

/// `redis:`, `rate_limits:`, `rate_limit_options:` and routes' `rate_limits`: the contract keys, and every mistake named.
final class RateLimitConfigTests: XCTestCase {
    private let base = """
        descriptors: [api.protoset]
        clusters: [{name: shop, endpoints: ["127.0.0.1:50051"], services: [shop.v1]}]

        """

    private func parse(_ yaml: String) -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(yaml: base + yaml, file: "test.yaml", baseDirectory: "", checkFiles: false)
    }

    private func problems(_ yaml: String) -> [String] {
        switch parse(yaml) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    func testTheContractKeysParse() throws {
        let config = try parse("""
            redis:
              address: 127.0.0.1:6379
              timeout: 20ms
              failure_mode: open
              instances: 2
            rate_limits:
              - name: per-client
                key: [client_ip]
                rate: 10/s
                burst: 20
                scope: global
                mode: enforce
              - {name: tenant, key: [claim:sub, header:X-Tenant, route, method, consumer], rate: 1000/month, scope: local, mode: shadow}
            defaults:
              rate_limits: [per-client]
            routes:
              "GET /v1/products/{id}": {rate_limits: [per-client, tenant]}
              "shop.v1.Catalog.List": {rate_limits: []}
            """).get()
        XCTAssertEqual(config.redis, RateLimitRedisSettings(host: "127.0.0.1", port: 6379, timeout: .milliseconds(20), failureMode: .open, instances: 2))
        XCTAssertEqual(config.rateLimits, [
            RateLimitDefinition(name: "per-client", key: [.clientIP], rate: RateLimitRate(count: 10, period: .second), burst: 20, scope: .global, mode: .enforce),
            RateLimitDefinition(name: "tenant", key: [.claim("sub"), .header("x-tenant"), .route, .method, .consumer], rate: RateLimitRate(count: 1000, period: .month), scope: .local, mode: .shadow),
        ])
        XCTAssertEqual(config.defaults.rateLimits, ["per-client"])
        XCTAssertEqual(config.routes.map(\.options.rateLimits), [["per-client", "tenant"], []])
        let policies = RoutePolicies(config: config)
        XCTAssertEqual(policies.settings(method: "shop.v1.Catalog.Get", httpMethod: "GET", pattern: "/v1/products/{id}").access.rateLimits, ["per-client", "tenant"])
        XCTAssertEqual(policies.settings(method: "shop.v1.Catalog.List", httpMethod: "GET", pattern: "/v1/products").access.rateLimits, [])
        XCTAssertEqual(policies.settings(method: "shop.v1.Catalog.Other", httpMethod: "POST", pattern: "/v1/x").access.rateLimits, ["per-client"])
        XCTAssertEqual(config.rateLimits[0].burst, 20)
        XCTAssertEqual(config.rateLimitOptions, RateLimitOptions())
    }

    func testBurstDefaultsToTheRatesCount() throws {
        let config = try parse("rate_limits: [{name: a, key: [route], rate: 7/m, scope: local}]").get()
        XCTAssertEqual(config.rateLimits.first?.burst, 7)
    }

    func testMistakesAreNamed() {
        let found = problems("""
            redis: {address: "nohost", failure_mode: sometimes, instances: 0, timeout: fast, bogus: 1}
            rate_limits:
              - {name: a, key: [ip], rate: 10/w, burst: 0, scope: everywhere, mode: maybe}
              - {name: a, key: [route], rate: 1/s, scope: local}
              - {name: q, key: [route], rate: 100/d, burst: 5, scope: local}
              - {name: "bad name", key: [], rate: 1/s}
              - {key: [route]}
            rate_limit_options: {headers: sometimes, local_max_keys: 1}
            defaults: {rate_limits: [missing]}
            routes:
              "GET /v1/x": {rate_limits: [a, a, gone]}
            """)
        let expected = [
            "redis.address", "redis.failure_mode", "redis.instances", "redis.timeout", "redis.bogus",
            "rate_limits[0].key[0]", "rate_limits[0].rate", "rate_limits[0].burst", "rate_limits[0].scope", "rate_limits[0].mode",
            "rate_limits[2].burst", "rate_limits[3].name", "rate_limits[3].key",
            "rate_limits[4].name", "rate_limits[4].rate",
            "rate_limit_options.headers", "rate_limit_options.local_max_keys",
            "defaults.rate_limits[0]", "routes[\"GET /v1/x\"].rate_limits[1]", "routes[\"GET /v1/x\"].rate_limits[2]",
        ]
        for path in expected {
            XCTAssertTrue(found.contains { $0.hasPrefix(path + " ") || $0.hasPrefix(path + ":") }, "no problem at \(path) in:\n\(found.joined(separator: "\n"))")
        }
    }

    func testDuplicateNames() {
        let found = problems("rate_limits: [{name: a, key: [route], rate: 1/s, scope: local}, {name: a, key: [method], rate: 2/s, scope: local}]")
        XCTAssertTrue(found.contains { $0.hasPrefix("rate_limits[1].name") && $0.contains("duplicate") }, "\(found)")
    }

    func testGlobalLimitsNeedRedis() {
        let found = problems("rate_limits: [{name: g, key: [client_ip], rate: 5/s}]")
        XCTAssertTrue(found.contains { $0.contains("redis") && $0.contains("'g' is global") }, "\(found)")
        XCTAssertEqual(problems("rate_limits: [{name: l, key: [client_ip], rate: 5/s, scope: local}]"), [])
    }

    func testPasswordFromTheEnvironment() throws {
        setenv("EDGE_TEST_REDIS_PASSWORD", "from-env", 1)
        let config = try parse("redis: {address: \"redis.internal:6380\", password_env: EDGE_TEST_REDIS_PASSWORD, database: 2, tls: true}").get()
        XCTAssertEqual(config.redis?.password, "from-env")
        XCTAssertEqual(config.redis?.host, "redis.internal")
        XCTAssertEqual(config.redis?.port, 6380)
        XCTAssertEqual(config.redis?.database, 2)
        XCTAssertEqual(config.redis?.tls, true)
        let missing = problems("redis: {address: \"r:1\", password_env: EDGE_TEST_NOT_SET_ANYWHERE}")
        XCTAssertTrue(missing.contains { $0.contains("EDGE_TEST_NOT_SET_ANYWHERE") && !$0.contains("from-env") }, "\(missing)")
    }
}
