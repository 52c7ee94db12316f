import Foundation
import NIOConcurrencyHelpers
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// The rate-limit core without sockets: GCRA, calendar windows, the LRU table, the local limiter,
/// decisions over several limits, and the answer's headers and details.
final class RateLimitCoreTests: XCTestCase {
    struct Source: RateLimitKeySource {
        var clientIP: String? = "203.0.113.7"
        var consumer: String? = nil
        var route = "GET /v1/products/{id}"
        var method = "shop.v1.Catalog/GetProduct"
        var claims: [String: String] = [:]
        var headers: [String: String] = [:]
        func claim(_ name: String) -> String? { claims[name] }
        func header(_ name: String) -> String? { headers[name] }
    }

    func definition(_ name: String, _ rate: String, burst: Int? = nil, key: [RateLimitKeyPart] = [.clientIP], scope: RateLimitScope = .local, mode: RateLimitMode = .enforce) -> RateLimitDefinition {
        RateLimitDefinition(name: name, key: key, rate: RateLimitRate(parsing: rate)!, burst: burst, scope: scope, mode: mode)
    }

    func check(_ definition: RateLimitDefinition, _ source: Source = Source()) -> RateLimitCheck {
        RateLimitCheck(definition: definition, key: RateLimitKey(definition: definition, source: source)!)
    }

    // MARK: GCRA

    func testGCRABurstThenOneEveryInterval() {
        let gcra = GCRA(emissionInterval: 3_000_000, burst: 20)  // 20/m, burst 20
        var tat: Int64?
        var allowed = 0
        for _ in 0..<25 {
            let (outcome, newTAT) = gcra.decide(storedTAT: tat, now: 0)
            if outcome.allowed {
                allowed += 1
                tat = newTAT
            }
        }
        XCTAssertEqual(allowed, 20)
        let early = gcra.decide(storedTAT: tat, now: 2_999_999)
        XCTAssertFalse(early.outcome.allowed)
        XCTAssertEqual(early.outcome.retryAfter, 1)
        XCTAssertEqual(early.newTAT, tat, "a rejection changes nothing")
        let onTime = gcra.decide(storedTAT: tat, now: 3_000_000)
        XCTAssertTrue(onTime.outcome.allowed)
        XCTAssertEqual(onTime.outcome.remaining, 0)
        XCTAssertFalse(gcra.decide(storedTAT: onTime.newTAT, now: 3_000_000).outcome.allowed)
    }

    func testGCRARemainingAndReset() {
        let gcra = GCRA(emissionInterval: 100_000, burst: 10)  // 10/s
        let first = gcra.decide(storedTAT: nil, now: 1_000)
        XCTAssertEqual(first.outcome.remaining, 9)
        XCTAssertEqual(first.outcome.resetAfter, 100_000)
        XCTAssertEqual(first.newTAT, 101_000)
    }

    /// However requests are timed, over any span of T microseconds at most burst + T/interval pass:
    /// no window edge lets twice the burst through.
    func testGCRANeverExceedsBurstPlusRefill() {
        let gcra = GCRA(emissionInterval: 200_000, burst: 5)
        var rng = SystemRandomNumberGenerator()
        var tat: Int64?
        var now: Int64 = 0
        var times: [Int64] = []
        for _ in 0..<5000 {
            now += Int64.random(in: 0...60_000, using: &rng)
            let (outcome, newTAT) = gcra.decide(storedTAT: tat, now: now)
            if outcome.allowed {
                tat = newTAT
                times.append(now)
            }
        }
        for (index, start) in times.enumerated() {
            for span: Int64 in [0, 100_000, 1_000_000, 5_000_000] {
                let inSpan = times[index...].prefix { $0 <= start + span }.count
                XCTAssertLessThanOrEqual(inSpan, 5 + Int(span / 200_000), "span \(span) from \(start)")
            }
        }
    }

    // MARK: calendar windows

    func testCalendarWindowsAgreeWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Double(Int64.random(in: 0...4_102_444_800, using: &rng))
            let date = Date(timeIntervalSince1970: seconds)
            let micros = Int64(seconds) * 1_000_000
            let dayStart = calendar.startOfDay(for: date)
            let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: date))!
            let nextMonth = calendar.date(byAdding: .month, value: 1, to: monthStart)!
            let day = CalendarQuotaWindow(containing: micros, period: .day)
            XCTAssertEqual(day.start, Int64(dayStart.timeIntervalSince1970) * 1_000_000)
            XCTAssertEqual(day.end - day.start, 86_400_000_000)
            let month = CalendarQuotaWindow(containing: micros, period: .month)
            XCTAssertEqual(month.start, Int64(monthStart.timeIntervalSince1970) * 1_000_000, "\(date)")
            XCTAssertEqual(month.end, Int64(nextMonth.timeIntervalSince1970) * 1_000_000, "\(date)")
        }
        // 2024-02-10: a leap February ends on March 1st.
        let february = CalendarQuotaWindow(containing: 1_707_523_200_000_000, period: .month)
        XCTAssertEqual((february.end - february.start) / 86_400_000_000, 29)
    }

    // MARK: the LRU table and the local limiter

    func testTableForgetsTheLeastRecentlyUsed() {
        var table = LocalRateLimitTable(capacity: 3)
        for key in ["a", "b", "c"] { table.set(key, .init(first: 1, second: 0)) }
        _ = table.get("a")
        table.set("d", .init(first: 4, second: 0))
        XCTAssertNil(table.get("b"))
        XCTAssertNotNil(table.get("a"))
        XCTAssertNotNil(table.get("c"))
        XCTAssertEqual(table.get("d")?.first, 4)
        XCTAssertEqual(table.count, 3)
    }

    func testLocalKeysAreBounded() {
        let limiter = LocalRateLimiter(maxKeys: 64, shardCount: 4)
        let limit = definition("per-ip", "10/s")
        for index in 0..<10_000 {
            var source = Source()
            source.clientIP = "10.0.\(index / 256).\(index % 256)"
            _ = limiter.decide([check(limit, source)], now: 0, wallClock: 0)
        }
        XCTAssertLessThanOrEqual(limiter.keyCount, 64)
    }

    /// Many threads on one key: exactly the burst passes (the rate is too slow to refill during the test).
    func testLocalLimitIsExactUnderConcurrency() {
        for burst in [1, 17, 250] {
            let limiter = LocalRateLimiter(maxKeys: 1000)
            let limit = definition("exact", "\(burst)/h")
            let allowed = NIOLockedValueBox(0)
            let one = check(limit)
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                var mine = 0
                for _ in 0..<200 where limiter.decide([one], now: RateLimitClock.monotonicMicros(), wallClock: 0).allowed { mine += 1 }
                allowed.withLockedValue { $0 += mine }
            }
            XCTAssertEqual(allowed.withLockedValue { $0 }, burst)
        }
    }

    func testRejectedRequestConsumesNothingFromAnyLimit() {
        let limiter = LocalRateLimiter(maxKeys: 100)
        let tight = definition("tight", "1/h")
        let loose = definition("loose", "5/h")
        XCTAssertTrue(limiter.decide([check(tight), check(loose)], now: 0, wallClock: 0).allowed)
        for _ in 0..<10 {
            let decision = limiter.decide([check(tight), check(loose)], now: 0, wallClock: 0)
            XCTAssertFalse(decision.allowed)
            XCTAssertEqual(decision.rejectedBy, [0])
        }
        // loose still has 4 of its 5: only the first request took one.
        var passed = 0
        for _ in 0..<10 where limiter.decide([check(loose)], now: 0, wallClock: 0).allowed { passed += 1 }
        XCTAssertEqual(passed, 4)
    }

    func testShadowLimitsCountButNeverReject() {
        let limiter = LocalRateLimiter(maxKeys: 100)
        let shadow = definition("shadow", "2/h", mode: .shadow)
        var verdicts: [Bool] = []
        for _ in 0..<5 {
            let decision = limiter.decide([check(shadow)], now: 0, wallClock: 0)
            XCTAssertTrue(decision.allowed)
            verdicts.append(decision.outcomes[0].allowed)
        }
        XCTAssertEqual(verdicts, [true, true, false, false, false], "the limit decides as it would, but lets all through")
        XCTAssertNil(RateLimitHeaders.policy(limiter.decide([check(shadow)], now: 0, wallClock: 0)), "shadow limits are invisible to clients")
    }

    func testLocalDayQuotaResetsAtUTCMidnight() {
        let limiter = LocalRateLimiter(maxKeys: 100)
        let quota = definition("daily", "2/d")
        let beforeMidnight: Int64 = 1_765_065_599_000_000  // 2025-12-06T23:59:59Z
        XCTAssertTrue(limiter.decide([check(quota)], now: 0, wallClock: beforeMidnight).allowed)
        XCTAssertTrue(limiter.decide([check(quota)], now: 0, wallClock: beforeMidnight).allowed)
        let third = limiter.decide([check(quota)], now: 0, wallClock: beforeMidnight)
        XCTAssertFalse(third.allowed)
        XCTAssertEqual(third.retryAfter, 1_000_000)
        XCTAssertTrue(limiter.decide([check(quota)], now: 0, wallClock: beforeMidnight + 1_000_000).allowed)
    }

    // MARK: keys, parsing, the answer

    func testKeysFromEveryPart() {
        var source = Source()
        source.consumer = "acme"
        source.claims["sub"] = "user-1"
        source.headers["x-tenant"] = "t 1"
        let limit = definition("mixed", "1/s", key: [.clientIP, .consumer, .claim("sub"), .header("x-tenant"), .route, .method])
        let key = RateLimitKey(definition: limit, source: source)!
        XCTAssertTrue(key.value.hasPrefix("client_ip=203.0.113.7|consumer=acme|claim:sub=user-1|header:x-tenant=sha1:"), key.value)
        XCTAssertTrue(key.redisKey.hasPrefix("edge:rl:{client_ip="))
        XCTAssertTrue(key.redisKey.hasSuffix("}:mixed"))
        source.consumer = nil
        XCTAssertNil(RateLimitKey(definition: limit, source: source), "a missing part: the limit does not apply")
        XCTAssertEqual(RateLimitKeyPart(configName: "header:X-Tenant"), .header("x-tenant"))
        XCTAssertNil(RateLimitKeyPart(configName: "header:"))
        XCTAssertNil(RateLimitKeyPart(configName: "ip"))
    }

    func testRateParsing() {
        XCTAssertEqual(RateLimitRate(parsing: "10/s"), RateLimitRate(count: 10, period: .second))
        XCTAssertEqual(RateLimitRate(parsing: "1000/month"), RateLimitRate(count: 1000, period: .month))
        for bad in ["0/s", "10/w", "10", "/s", "-1/s", "1.5/s", "10/S", "10 /s"] { XCTAssertNil(RateLimitRate(parsing: bad), bad) }
        XCTAssertEqual(RateLimitRate(parsing: "3/s")!.emissionIntervalMicroseconds, 333_334)
        let limit = definition("x", "10/s", burst: 20, scope: .global)
        let fallback = limit.fallback(instances: 4)
        XCTAssertEqual(fallback.rate, RateLimitRate(count: 2, period: .second))
        XCTAssertEqual(fallback.burst, 5)
        XCTAssertEqual(fallback.scope, .local)
    }

    func testHeadersAndRejection() {
        let limiter = LocalRateLimiter(maxKeys: 100)
        let perClient = definition("per-client", "10/s", burst: 20)
        let daily = definition("daily", "1000/d")
        let first = limiter.decide([check(perClient), check(daily)], now: 0, wallClock: 0)
        XCTAssertEqual(RateLimitHeaders.policy(first), #""per-client";q=20;w=2, "daily";q=1000;w=86400"#)
        XCTAssertEqual(RateLimitHeaders.policy([perClient, daily]), RateLimitHeaders.policy(first), "computed once per route")
        let precomputed = RateLimitHeaders.fields(first, policyOfAll: (2, "from the route"))
        XCTAssertEqual(precomputed.first?.value, "from the route")
        XCTAssertEqual(RateLimitHeaders.fields(first, policyOfAll: (3, "not all applied")).first?.value, RateLimitHeaders.policy(first))
        XCTAssertEqual(RateLimitHeaders.state(first), #""per-client";r=19;t=1, "daily";r=999;t=86400"#)
        var last = first
        for _ in 0..<20 { last = limiter.decide([check(perClient), check(daily)], now: 0, wallClock: 0) }
        XCTAssertFalse(last.allowed)
        let error = RateLimitRejection.error(for: last)
        XCTAssertEqual(error.httpStatus, .tooManyRequests)
        XCTAssertEqual(error.code, .resourceExhausted)
        let headers = Dictionary(error.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(headers["retry-after"], "1")
        XCTAssertEqual(headers["ratelimit"], #""per-client";r=0;t=1, "daily";r=980;t=86400"#)
        let details = String(decoding: error.details ?? [], as: UTF8.self)
        XCTAssertTrue(details.contains("type.googleapis.com/google.rpc.QuotaFailure"))
        XCTAssertTrue(details.contains("type.googleapis.com/google.rpc.RetryInfo"))
        XCTAssertTrue(details.contains("rate_limit:per-client"))
        XCTAssertEqual(RateLimitHeaders.sfString(#"a"b\c"#), #""a\"b\\c""#)
    }
}
