import NIOCore
import XCTest
@testable import Edge
@testable import EdgeConfig

final class ConfigLoaderTests: XCTestCase {
    private func parse(_ yaml: String) -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(yaml: yaml, file: "test.yaml", baseDirectory: "", checkFiles: false)
    }

    private func problems(_ yaml: String) -> [String] {
        switch parse(yaml) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    func testFullConfig() throws {
        let config = try parse("""
            listen:
              host: 127.0.0.1
              port: 8080
              threads: 3
              admin: {host: 127.0.0.1, port: 9901}
              limits:
                max_header_bytes: 32KiB
                max_body_bytes: 1MiB
                max_url_bytes: 4096
                idle_timeout: 30s
                header_read_timeout: 1.5s
                body_read_timeout: 20s
                drain_timeout: 2m
            descriptors:
              sources: [api.protoset, protos/]
              import_paths: [/usr/include]
            clusters:
              - name: shop
                endpoints: ["10.0.0.1:50051", "[::1]:50052"]
                tls: {ca_file: ca.pem}
                services: [shop.v1.Catalog, shop.v2.*]
              - name: users
                endpoints: [users:9000]
                tls: false
                services: [users]
            defaults:
              timeout: 10s
              max_timeout: 30s
              retries: {max_attempts: 2, initial_backoff: 50ms, max_backoff: 1s, multiplier: 1.5, retryable_codes: [UNAVAILABLE, resource_exhausted], budget: 0.1}
              json: {emit_unpopulated: true}
            routes:
              shop.v1.Catalog.GetBook:
                timeout: 2s
                max_body_bytes: 1024
                allow_retries: true
              "POST /v1/books":
                json: {use_proto_names: true, enums_as_ints: true, ignore_unknown_fields: true, ignore_unknown_query_parameters: true}
                retries: {budget: 0.05}
            default_routes: false
            metadata:
              forward_headers: [X-Tenant, x-user-id]
            """).get()
        XCTAssertEqual(config.listen.server.host, "127.0.0.1")
        XCTAssertEqual(config.listen.threads, 3)
        XCTAssertEqual(config.listen.server.limits.maxHeaderBytes, 32 * 1024)
        XCTAssertEqual(config.listen.server.limits.maxBodyBytes, 1 << 20)
        XCTAssertEqual(config.listen.server.limits.headerReadTimeout, .milliseconds(1500))
        XCTAssertEqual(config.listen.server.limits.drainTimeout, .minutes(2))
        XCTAssertEqual(config.listen.server.limits.bodyReadTimeout, .seconds(20))
        XCTAssertEqual(config.descriptors.sources, ["api.protoset", "protos/"])
        XCTAssertEqual(config.clusters.count, 2)
        XCTAssertEqual(config.clusters[0].endpoints, [.init(host: "10.0.0.1", port: 50051), .init(host: "::1", port: 50052)])
        XCTAssertEqual(config.clusters[0].tls, EdgeConfig.TLS(caFile: "ca.pem"))
        XCTAssertNil(config.clusters[1].tls)
        XCTAssertFalse(config.defaultRoutes)
        XCTAssertEqual(config.metadata.forwardHeaders, ["x-tenant", "x-user-id"])
        XCTAssertEqual(config.routes.map(\.key), [.method("shop.v1.Catalog.GetBook"), .http(method: "POST", pattern: "/v1/books")])

        let policies = RoutePolicies(config: config)
        XCTAssertEqual(policies.defaults.timeout, .seconds(10))
        XCTAssertEqual(policies.defaults.maxBodyBytes, 1 << 20)
        XCTAssertEqual(policies.defaults.retry.retryableCodes, [.unavailable, .resourceExhausted])
        // defaults.retries.budget is the clusters' budget, not a route's own.
        XCTAssertNil(policies.defaults.retryBudget)
        XCTAssertTrue(policies.defaults.printOptions.emitUnpopulated)
        let getBook = policies.settings(method: "shop.v1.Catalog.GetBook", httpMethod: "GET", pattern: "/v1/books/{id}")
        XCTAssertEqual(getBook.timeout, .seconds(2))
        XCTAssertEqual(getBook.maxBodyBytes, 1024)
        XCTAssertTrue(getBook.callPolicy(idempotent: false).retriesAllowed)
        let create = policies.settings(method: "shop.v1.Catalog.CreateBook", httpMethod: "POST", pattern: "/v1/books")
        XCTAssertTrue(create.printOptions.useProtoNames)
        XCTAssertTrue(create.parseOptions.ignoreUnknownFields)
        XCTAssertTrue(create.ignoreUnknownQueryParameters)
        XCTAssertFalse(create.callPolicy(idempotent: false).retriesAllowed)
        XCTAssertTrue(create.callPolicy(idempotent: true).retriesAllowed)
        // A route's own retries.budget gives its calls a budget of their own.
        XCTAssertEqual(create.retryBudget, 0.05)
        XCTAssertEqual(create.callPolicy(idempotent: true).retryBudget?.configuration.ratio, 0.05)
        XCTAssertNil(getBook.callPolicy(idempotent: true).retryBudget)

        let clusters = ClusterMap(clusters: config.clusters)
        XCTAssertEqual(clusters.cluster(forService: "shop.v1.Catalog"), "shop")
        XCTAssertEqual(clusters.cluster(forService: "shop.v2.Orders"), "shop")
        XCTAssertNil(clusters.cluster(forService: "shop.v1.Other"))
        XCTAssertEqual(clusters.cluster(forService: "users.Accounts"), "users")
        XCTAssertNil(clusters.cluster(forService: "usersx.Accounts"))
    }

    func testEveryProblemIsReportedWithItsLocation() {
        let found = problems("""
            listen:
              port: 70000
              admin: {port: 8080}
              limits:
                idle_timeout: 10
                max_body_bytes: lots
            descriptors:
              sources: []
            clusters:
              - name: a
                endpoints: ["localhost:50051"]
                services: [shop.v1]
              - name: a
                endpoints: ["localhost", "host:0"]
                services: [shop.v1, "bad name"]
                tlss: true
            defaults:
              timeout: 90s
              retries: {max_attempts: 0, retryable_codes: [NOPE], initial_backoff: 2s, max_backoff: 1s}
            routes:
              "FETCH v1/x": {timeout: 1s}
              not-a-method: {}
              shop.v1.Catalog.GetBook: {timeout: soon, json: {emit_everything: true}}
            metadata:
              forward_headers: [Connection, "bad header"]
            """)
        let expected = [
            "listen.port (line 2): must be between 0 and 65535, got 70000",
            "listen.limits.idle_timeout (line 5): expected a duration like 250ms, 1.5s, 2m or 1h, got '10'",
            "listen.limits.max_body_bytes (line 6): expected a size in bytes (e.g. 16384, 64KiB, 4MiB), got 'lots'",
            "descriptors (line 8): name at least one source (descriptor set, .proto file or directory)",
            "clusters[1].endpoints[0] (line 14): expected host:port with a port from 1 to 65535, got 'localhost'",
            "clusters[1].endpoints[1] (line 14): expected host:port with a port from 1 to 65535, got 'host:0'",
            "clusters[1].services[1] (line 15): expected a service name (pkg.Service) or a package prefix (pkg, pkg.*), got 'bad name'",
            "clusters[1].tlss (line 16): unknown key 'tlss' (expected one of: circuit_breaker, endpoints, health_check, max_requests, name, outlier_detection, reflection, services, tls)",
            "clusters[1].name (line 13): duplicate cluster name 'a' (also clusters[0])",
            "clusters[1].services[0] (line 13): 'shop.v1' is already mapped to cluster 'a'",
            "defaults.retries.max_attempts (line 19): must be between 1 and 10, got 0",
            "defaults.retries.retryable_codes[0] (line 19): unknown or non-error gRPC status code 'NOPE' (e.g. UNAVAILABLE, RESOURCE_EXHAUSTED)",
            "defaults.retries.max_backoff (line 19): must not be shorter than initial_backoff",
            "routes[\"FETCH v1/x\"] (line 21): an HTTP pattern must start with '/', got 'v1/x'",
            "routes.not-a-method (line 22): a route key is a gRPC method (pkg.Service.Method or /pkg.Service/Method) or 'VERB /pattern', got 'not-a-method'",
            "routes[\"shop.v1.Catalog.GetBook\"].timeout (line 23): expected a duration like 250ms, 1.5s, 2m or 1h, got 'soon'",
            "routes[\"shop.v1.Catalog.GetBook\"].json.emit_everything (line 23): unknown key 'emit_everything' (expected one of: emit_unpopulated, enums_as_ints, ignore_unknown_fields, ignore_unknown_query_parameters, use_proto_names)",
            "metadata.forward_headers[0] (line 25): 'Connection' is a hop-by-hop or reserved header and is never forwarded",
            "metadata.forward_headers[1] (line 25): 'bad header' is not a valid header name",
            "listen.admin.port: must differ from listen.port (8080)",
            "defaults.timeout: 90s is longer than defaults.max_timeout (1m)",
        ]
        for message in expected {
            XCTAssertTrue(found.contains(message), "missing: \(message)\nfound:\n" + found.joined(separator: "\n"))
        }
    }

    func testMissingSectionsAndBadYAML() {
        XCTAssertEqual(problems("listen: {port: 8080}"), [
            "descriptors: missing: name at least one descriptor source",
            "clusters: missing: define at least one cluster",
        ])
        XCTAssertEqual(problems("").first, "(top level): the file is empty (at least descriptors and clusters are required)")
        XCTAssertTrue(problems("listen: [").first?.hasPrefix("(top level): not valid YAML") ?? false)
        let found = problems("descriptors: [a.pb]\nclusters:\n  - {name: x, services: [a]}\nbogus: 1")
        XCTAssertEqual(found.count, 2, "\(found)")
        // The list of sections grows with the gateway; it is named in full, sorted.
        XCTAssertTrue(found.first?.hasPrefix("bogus (line 4): unknown key 'bogus' (expected one of: auth, clusters, cors, default_routes, defaults, descriptors, listen, metadata,") == true, "\(found)")
        XCTAssertEqual(found.last, "clusters[0].endpoints (line 3): missing")
    }

    func testFilesAreCheckedRelativeToTheConfig() throws {
        let directory = FileManagerProbe.makeTemporaryDirectory()
        let config = directory + "/edge.yaml"
        FileManagerProbe.write("descriptors: [present.protoset, missing.protoset]\nclusters:\n  - {name: a, endpoints: ['h:1'], services: [a], tls: {ca_file: nope.pem}}\n", to: config)
        FileManagerProbe.write("", to: directory + "/present.protoset")
        XCTAssertThrowsError(try ConfigLoader.load(file: config)) { error in
            let problems = (error as? ConfigError)?.problems.map(\.description) ?? []
            XCTAssertEqual(problems, [
                "descriptors[1] (line 1): descriptor source 'missing.protoset' does not exist (looked at \(directory)/missing.protoset)",
                "clusters[0].tls.ca_file (line 3): CA file 'nope.pem' does not exist",
            ])
        }
    }

    func testDurations() {
        XCTAssertEqual(ConfigDuration.parse("250ms"), .milliseconds(250))
        XCTAssertEqual(ConfigDuration.parse("1.5s"), .milliseconds(1500))
        XCTAssertEqual(ConfigDuration.parse("2m"), .minutes(2))
        XCTAssertEqual(ConfigDuration.parse("1h"), .hours(1))
        XCTAssertEqual(ConfigDuration.parse("10us"), .microseconds(10))
        for bad in ["", "10", "s", "1.s", ".5s", "1,5s", "-1s", "1 d", "1e3s"] {
            XCTAssertNil(ConfigDuration.parse(bad), bad)
        }
        XCTAssertEqual(ConfigDuration.format(.milliseconds(1500)), "1500ms")
        XCTAssertEqual(ConfigDuration.format(.seconds(90)), "90s")
    }

    func testThreads() {
        var config = EdgeConfig()
        XCTAssertEqual(config.eventLoopThreads(environment: [:], coreCount: 4), 4)
        config.listen.threads = 2
        XCTAssertEqual(config.eventLoopThreads(environment: [:], coreCount: 4), 2)
        XCTAssertEqual(config.eventLoopThreads(environment: ["BENCH_GW_CPUS": "1"], coreCount: 4), 1)
        XCTAssertEqual(config.eventLoopThreads(environment: ["BENCH_GW_CPUS": "x"], coreCount: 4), 2)
    }

    func testExampleConfigIsValid() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/edge.yaml").path
        let config = try ConfigLoader.load(file: example)
        XCTAssertFalse(config.clusters.isEmpty)
    }
}

import Foundation

enum FileManagerProbe {
    static func makeTemporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "edge-config-\(UInt64.random(in: 0...UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }
}
