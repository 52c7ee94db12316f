import EdgeDemo
import Foundation
import NIOConcurrencyHelpers
import XCTest

@testable import Edge

/// Rate limits through the gateway over real sockets: the demo bookstore behind two reloadable
/// gateways ("instances") that share one real redis-server.
final class RateLimitEndToEndTests: XCTestCase {
    private var demo: RunningDemoServer!
    private var redis: RedisTestServer!
    private var harnesses: [ReloadHarness] = []

    override func setUpWithError() throws {
        redis = try RedisTestServer()
        demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
    }

    override func tearDownWithError() throws {
        for harness in harnesses { harness.shutdown() }
        harnesses = []
        let demo = self.demo
        _ = try? EndToEndFixture.blocking { await demo?.shutdown(gracePeriod: .seconds(1)) }
        redis?.stop()
    }

    /// Starts one gateway with `limits` (the `rate_limits:` entries) applied by default.
    private func startGateway(limits: String, failureMode: String = "open", extra: String = "") throws -> ReloadHarness {
        let harness = try ReloadHarness()
        let yaml = """
            redis:
              address: 127.0.0.1:\(redis.port)
              timeout: 100ms
              failure_mode: \(failureMode)
              instances: 2
              breaker: {failures: 2, open_time: 100ms}
            rate_limits:
            \(limits)
            defaults:
              rate_limits: [limited]
            routes:
              "GET /v1/shelves": {rate_limits: []}
            \(extra)
            """
        try harness.write("edge.yaml", EndToEndFixture.gatewayYAML(ports: [demo.port], extra: yaml))
        try harness.start()
        harnesses.append(harness)
        return harness
    }

    /// The gateway's Prometheus samples, by their name and labels as written.
    private func metrics(_ harness: ReloadHarness) throws -> [String: Double] {
        let text = try EndToEndClient.send(port: harness.adminPort, "GET", "/metrics").body
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    private func get(_ harness: ReloadHarness, _ target: String = "/v1/shelves/1", headers: [(String, String)] = []) throws -> EndToEndResponse {
        try EndToEndClient.send(port: harness.port, "GET", target, headers: headers)
    }

    func testLocalLimitAnswers429WithDetailsAndHeaders() throws {
        let gateway = try startGateway(limits: "  - {name: limited, key: [client_ip], rate: 3/h, scope: local}")
        for remaining in [2, 1, 0] {
            let ok = try get(gateway)
            XCTAssertEqual(ok.status, 200, ok.body)
            XCTAssertEqual(ok.header("ratelimit-policy"), #""limited";q=3;w=3600"#)
            XCTAssertTrue(ok.header("ratelimit")?.hasPrefix(#""limited";r=\#(remaining);t="#) ?? false, "\(ok.header("ratelimit") ?? "-")")
        }
        let rejected = try get(gateway)
        XCTAssertEqual(rejected.status, 429)
        let json = try rejected.json()
        XCTAssertEqual(json["code"] as? Int, 8)
        XCTAssertTrue((json["message"] as? String ?? "").contains("limited"))
        let types = (json["details"] as? [[String: Any]] ?? []).compactMap { $0["@type"] as? String }
        XCTAssertEqual(types, ["type.googleapis.com/google.rpc.QuotaFailure", "type.googleapis.com/google.rpc.RetryInfo"], rejected.body)
        let retryAfter = try XCTUnwrap(Int(rejected.header("retry-after") ?? ""))
        XCTAssertGreaterThan(retryAfter, 0)
        XCTAssertEqual(rejected.header("ratelimit"), #""limited";r=0;t=\#(retryAfter)"#, "t agrees with Retry-After")
        XCTAssertNotNil(rejected.header("x-request-id"))
        // A route with rate_limits: [] is not limited, and has no fields.
        let open = try get(gateway, "/v1/shelves")
        XCTAssertEqual(open.status, 200)
        XCTAssertNil(open.header("ratelimit"))
    }

    func testHeadersCanBeSwitchedOff() throws {
        let gateway = try startGateway(limits: "  - {name: limited, key: [client_ip], rate: 1/h, scope: local}", extra: "rate_limit_options: {headers: false}")
        let ok = try get(gateway)
        XCTAssertEqual(ok.status, 200)
        XCTAssertNil(ok.header("ratelimit"))
        XCTAssertNil(ok.header("ratelimit-policy"))
        let rejected = try get(gateway)
        XCTAssertEqual(rejected.status, 429)
        XCTAssertNotNil(rejected.header("retry-after"))
        XCTAssertNil(rejected.header("ratelimit"))
    }

    /// Two gateways, one Redis, many concurrent requests: exactly N pass, and each request costs one Redis command.
    func testGlobalLimitIsExactAcrossTwoGateways() throws {
        for (n, burst) in [(12, 12), (40, 5)] {
            try redis.cli(["FLUSHALL"])
            try redis.cli(["CONFIG", "RESETSTAT"])
            for harness in harnesses { harness.shutdown() }
            harnesses = []
            let limits = "  - {name: limited, key: [route], rate: \(n)/h, burst: \(burst), scope: global}"
            let gateways = [try startGateway(limits: limits), try startGateway(limits: limits)]
            let requests = burst * 3 + 10
            let statuses = NIOLockedValueBox<[Int]>([])
            let ports = gateways.map(\.port)
            DispatchQueue.concurrentPerform(iterations: requests) { index in
                let status = (try? EndToEndClient.send(port: ports[index % 2], "GET", "/v1/shelves/1").status) ?? -1
                statuses.withLockedValue { $0.append(status) }
            }
            let all = statuses.withLockedValue { $0 }
            XCTAssertEqual(all.filter { $0 == 200 }.count, burst, "\(n)/h burst \(burst): \(all)")
            XCTAssertEqual(all.filter { $0 == 429 }.count, requests - burst)
            let stats = try redis.cli(["INFO", "commandstats"])
            let evalsha = stats.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_evalsha:") } ?? ""
            XCTAssertTrue(evalsha.hasPrefix("cmdstat_evalsha:calls=\(requests),"), "one EVALSHA per request: \(evalsha)")
            // Each decision counted once, by the gateway that made it.
            let counted = try gateways.map { try metrics($0) }
            func sum(_ name: String) -> Double { counted.map { $0[name] ?? 0 }.reduce(0, +) }
            XCTAssertEqual(sum(#"edge_rate_limit_decisions_total{limit="limited",decision="allowed"}"#), Double(burst))
            XCTAssertEqual(sum(#"edge_rate_limit_decisions_total{limit="limited",decision="rejected"}"#), Double(requests - burst))
            XCTAssertEqual(sum("edge_rate_limit_redis_calls_total"), Double(requests))
            let keys = try redis.cli(["--scan", "--pattern", "edge:rl:*"]).split(whereSeparator: \.isNewline)
            XCTAssertEqual(keys.count, 1)
            for key in keys { XCTAssertGreaterThan(Int(try redis.cli(["PTTL", String(key)])) ?? -1, 0) }
        }
    }

    /// Redis killed under load: every request is answered (open: the local fallback at rate / instances),
    /// and global limiting resumes once Redis is back.
    func testRedisKilledFailOpenThenRecovers() throws {
        let gateway = try startGateway(limits: "  - {name: limited, key: [client_ip], rate: 1000/h, scope: global}")
        XCTAssertEqual(try get(gateway).status, 200)
        let port = redis.port
        redis.kill()
        var statuses: [Int] = []
        for _ in 0..<30 { statuses.append(try get(gateway).status) }
        XCTAssertEqual(Set(statuses), [200], "failure mode open: answered, allowed by the fallback")
        redis = try RedisTestServer(port: port)
        var resumed = false
        for _ in 0..<200 where !resumed {
            _ = try get(gateway)
            resumed = (try redis.cli(["--scan", "--pattern", "edge:rl:*"])).contains("edge:rl:")
            if !resumed { usleep(25_000) }
        }
        XCTAssertTrue(resumed, "global limiting resumed: the counter is in Redis again")
    }

    func testRedisKilledFailClosedAnswers503() throws {
        let gateway = try startGateway(limits: "  - {name: limited, key: [client_ip], rate: 1000/h, scope: global}", failureMode: "closed")
        XCTAssertEqual(try get(gateway).status, 200)
        redis.kill()
        for _ in 0..<10 {
            let response = try get(gateway)
            XCTAssertEqual(response.status, 503, response.body)
            XCTAssertEqual(try response.json()["code"] as? Int, 14)
        }
    }
}
