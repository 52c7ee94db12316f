import EdgeRedis
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// Global limits against a real `redis-server`: exactness across two "instances" (two limiters with
/// their own connections) sharing one Redis, TTLs on every key, no double burst, rejected requests
/// changing nothing, calendar quotas, and the failure modes when Redis is killed and comes back.
final class RateLimitRedisTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var server: RedisTestServer!
    var limiters: [GlobalRateLimiter] = []

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        server = try RedisTestServer()
    }

    override func tearDownWithError() throws {
        for limiter in limiters { try? limiter.shutdown().wait() }
        limiters = []
        server?.stop()
        try group?.syncShutdownGracefully()
    }

    func makeLimiter(timeout: TimeAmount = .seconds(2), failureMode: RateLimitFailureMode = .open, instances: Int = 2) throws -> GlobalRateLimiter {
        var settings = RateLimitRedisSettings(port: server.port, timeout: timeout, failureMode: failureMode, instances: instances)
        settings.breakerOpenTime = .milliseconds(100)
        let limiter = try GlobalRateLimiter(settings: settings, group: group, stats: RateLimitStats())
        limiters.append(limiter)
        return limiter
    }

    func limit(_ name: String, _ rate: String, burst: Int? = nil, mode: RateLimitMode = .enforce) -> RateLimitDefinition {
        RateLimitDefinition(name: name, key: [.route], rate: RateLimitRate(parsing: rate)!, burst: burst, scope: .global, mode: mode)
    }

    func check(_ definition: RateLimitDefinition, key: String = "GET /x") -> RateLimitCheck {
        RateLimitCheck(definition: definition, key: RateLimitKey(limit: definition.name, value: "route=" + key))
    }

    /// Decides on a loop of the group, as the server would.
    func decide(_ limiter: GlobalRateLimiter, _ checks: [RateLimitCheck]) -> EventLoopFuture<RateLimitDecision> {
        let loop = group.next()
        return loop.flatSubmit { limiter.decide(checks, on: loop) }
    }

    func redisKeys() throws -> [String] {
        try server.cli(["--scan", "--pattern", "edge:rl:*"]).split(separator: "\n").map(String.init)
    }

    func testConcurrentDecisionsFromTwoInstancesAllowExactlyN() throws {
        let first = try makeLimiter()
        let second = try makeLimiter()
        for (n, burst) in [(1, 1), (10, 10), (50, 50), (30, 7), (120, 120)] {
            let definition = limit("exact-\(n)-\(burst)", "\(n)/h", burst: burst)
            var futures: [EventLoopFuture<RateLimitDecision>] = []
            for index in 0..<(burst * 3 + 20) {
                futures.append(decide(index % 2 == 0 ? first : second, [check(definition)]))
            }
            let allowed = try futures.map { try $0.wait() }.filter(\.allowed).count
            XCTAssertEqual(allowed, burst, "rate \(n)/h burst \(burst)")
        }
        for key in try redisKeys() {
            let ttl = Int(try server.cli(["PTTL", key])) ?? -99
            XCTAssertGreaterThan(ttl, 0, "\(key) has no expiry")
        }
        XCTAssertEqual(try redisKeys().count, 5)
    }

    func testEveryKeyHasATTLIncludingQuotas() throws {
        let limiter = try makeLimiter()
        let checks = [check(limit("per-minute", "5/m")), check(limit("per-day", "100/d")), check(limit("per-month", "1000/month"))]
        XCTAssertTrue(try decide(limiter, checks).wait().allowed)
        let keys = try redisKeys()
        XCTAssertEqual(keys.count, 3)
        let secondsToMidnight = 86_400 - Int(Date().timeIntervalSince1970) % 86_400
        for key in keys {
            let ttl = Int(try server.cli(["PTTL", key])) ?? -99
            XCTAssertGreaterThan(ttl, 0, key)
            if key.hasSuffix(":per-minute") { XCTAssertLessThanOrEqual(ttl, 12_001, "\(key) expires when the bucket is full again") }
            if key.hasSuffix(":per-day") { XCTAssertLessThanOrEqual(ttl, (secondsToMidnight + 1) * 1000, key) }
            if key.hasSuffix(":per-month") { XCTAssertLessThanOrEqual(ttl, 31 * 86_400_000, key) }
        }
        // Quota keys expire exactly at the end of their UTC day and month (the script's own civil dates).
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let now = Date()
        let dayEnd = utc.date(byAdding: .day, value: 1, to: utc.startOfDay(for: now))!
        let monthStart = utc.date(from: utc.dateComponents([.year, .month], from: now))!
        let monthEnd = utc.date(byAdding: .month, value: 1, to: monthStart)!
        for (suffix, end) in [(":per-day", dayEnd), (":per-month", monthEnd)] {
            let key = try XCTUnwrap(keys.first { $0.hasSuffix(suffix) })
            XCTAssertEqual(Int(try server.cli(["PEXPIRETIME", key])), Int(end.timeIntervalSince1970) * 1000, key)
        }
        XCTAssertTrue(keys.allSatisfy { $0.hasPrefix("edge:rl:{route=GET /x}:") }, "\(keys)")
    }

    func testRejectedRequestLeavesEveryCounterUnchanged() throws {
        let limiter = try makeLimiter()
        let tight = check(limit("tight", "1/h"))
        let loose = check(limit("loose", "100/h"))
        let daily = check(limit("daily", "100/d"))
        XCTAssertTrue(try decide(limiter, [tight, loose, daily]).wait().allowed)
        let before = try [loose, daily].map { try server.cli(["GET", $0.key.redisKey]) }
        for _ in 0..<20 {
            let decision = try decide(limiter, [tight, loose, daily]).wait()
            XCTAssertFalse(decision.allowed)
            XCTAssertEqual(decision.rejectedBy, [0])
            XCTAssertGreaterThan(decision.retryAfter, 0)
        }
        XCTAssertEqual(try [loose, daily].map { try server.cli(["GET", $0.key.redisKey]) }, before)
        XCTAssertEqual(try server.cli(["GET", daily.key.redisKey]), "1")
    }

    /// After the burst is spent, waiting a window's length lets through what refilled, never a second burst.
    func testNoDoubleBurstAtWindowEdges() throws {
        let limiter = try makeLimiter()
        let definition = check(limit("edge", "10/s", burst: 10))
        let start = Date()
        var allowed = 0
        for _ in 0..<30 where try decide(limiter, [definition]).wait().allowed { allowed += 1 }
        usleep(1_000_000)
        for _ in 0..<30 where try decide(limiter, [definition]).wait().allowed { allowed += 1 }
        let elapsed = Date().timeIntervalSince(start)
        // A fixed window of 1 s would let 20 through across its edge; GCRA at most burst + refill.
        XCTAssertLessThanOrEqual(allowed, 10 + Int((elapsed * 10).rounded(.up)))
        XCTAssertGreaterThanOrEqual(allowed, 10 + 9)
    }

    func testShadowGlobalLimitNeverRejects() throws {
        let limiter = try makeLimiter()
        let shadow = check(limit("shadow", "2/h", mode: .shadow))
        let decisions = try (0..<5).map { _ in try decide(limiter, [shadow]).wait() }
        XCTAssertTrue(decisions.allSatisfy(\.allowed))
        XCTAssertEqual(decisions.map { $0.shadowRejectedBy.count }, [0, 0, 1, 1, 1])
    }

    func testDayQuotaCountsInRedis() throws {
        let limiter = try makeLimiter()
        let quota = check(limit("quota", "3/d"))
        let decisions = try (0..<5).map { _ in try decide(limiter, [quota]).wait() }
        XCTAssertEqual(decisions.map(\.allowed), [true, true, true, false, false])
        XCTAssertEqual(decisions.map { $0.outcomes[0].remaining }, [2, 1, 0, 0, 0])
        XCTAssertEqual(try server.cli(["GET", quota.key.redisKey]), "3")
    }

    func testScriptIsLoadedAgainAfterFlush() throws {
        let limiter = try makeLimiter()
        let definition = check(limit("flush", "100/h"))
        XCTAssertTrue(try decide(limiter, [definition]).wait().allowed)
        XCTAssertEqual(try server.cli(["SCRIPT", "FLUSH"]), "OK")
        let decision = try decide(limiter, [definition]).wait()
        XCTAssertTrue(decision.allowed)
        XCTAssertFalse(decision.degraded)
        XCTAssertEqual(try server.cli(["GET", definition.key.redisKey]).isEmpty, false)
    }

    /// Many requests' decisions issued in one loop tick (through ``RateLimiter``, as the policy does):
    /// each gets its own answer, in order, with exactly one `EVALSHA` per decision and no
    /// failure-mode decision; keys and arguments as ``RateLimitScript/invocation(_:)`` gives them.
    func testDecisionsOfOneTickAreOneEvalshaEach() throws {
        let global = try makeLimiter()
        let limiter = RateLimiter(local: LocalRateLimiter(maxKeys: 100), global: global, options: RateLimitOptions())
        let definition = limit("tick", "25/h")
        let plan = RateLimitPlan([definition])
        // Warm: the connection up and the script loaded.
        XCTAssertTrue(try decide(global, [check(limit("warm", "5/h"))]).wait().allowed)
        try server.cli(["CONFIG", "RESETSTAT"])
        let loop = group.next()
        let futures = try loop.submit { () -> [EventLoopFuture<RateLimitDecision>] in
            (0..<60).map { _ in
                guard case .pending(let future) = limiter.check(plan, source: TickSource(route: "GET /tick"), on: loop) else {
                    return loop.makeFailedFuture(RedisError.unavailable("decided without Redis"))
                }
                return future
            }
        }.wait()
        let decisions = try futures.map { try $0.wait() }
        XCTAssertEqual(decisions.filter(\.allowed).count, 25)
        XCTAssertEqual(decisions.prefix(25).map { $0.outcomes[0].remaining }, Array((0..<25).reversed()), "answers in the order asked")
        XCTAssertTrue(decisions.allSatisfy { !$0.degraded })
        let commandStats = try server.cli(["INFO", "commandstats"])
        let evalsha = commandStats.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_evalsha:") } ?? ""
        XCTAssertTrue(evalsha.hasPrefix("cmdstat_evalsha:calls=60,"), "one EVALSHA per decision: \(evalsha)")
        XCTAssertFalse(commandStats.contains("cmdstat_eval:"), "no EVAL: the script was loaded")
        XCTAssertEqual(global.stats.failureModeDecisions.load(ordering: .relaxed), 0)
        XCTAssertEqual(global.stats.redisCalls.load(ordering: .relaxed), 61)
    }

    func testScriptCommandIsTheArrayFormsBytes() {
        let checks = [
            check(limit("a", "10/s", burst: 20)), check(limit("b", "100/d"), key: "GET /é{}"), check(limit("c", "5/month", mode: .shadow)),
        ]
        let (keys, arguments) = RateLimitScript.invocation(checks)
        XCTAssertEqual(RateLimitScript.command(checks), RedisCommand(["EVALSHA", RateLimitScript.script.sha1, "3"] + keys + arguments))
        XCTAssertEqual(
            RateLimitScript.command(checks, withSource: true), RedisCommand(["EVAL", RateLimitScript.source, "3"] + keys + arguments))
    }

    /// Redis killed: every decision is answered (from the local fallback, at rate / instances), then
    /// global limiting resumes when Redis is back on the same port.
    func testFailureModeOpenFallsBackAndRecovers() throws {
        let limiter = try makeLimiter(timeout: .milliseconds(50), failureMode: .open, instances: 2)
        let definition = check(limit("fallback", "20/h"))
        XCTAssertFalse(try decide(limiter, [definition]).wait().degraded)
        let port = server.port
        server.kill()
        let during = try (0..<40).map { _ in try decide(limiter, [definition]).wait() }
        XCTAssertTrue(during.allSatisfy(\.degraded))
        XCTAssertEqual(during.filter(\.allowed).count, 10, "the fallback allows 20/h divided by 2 instances")
        server = try RedisTestServer(port: port)
        var recovered: RateLimitDecision?
        for _ in 0..<200 {
            let decision = try decide(limiter, [definition]).wait()
            if !decision.degraded {
                recovered = decision
                break
            }
            usleep(25_000)
        }
        XCTAssertEqual(recovered?.allowed, true, "global limiting resumed")
        XCTAssertEqual(try server.cli(["EXISTS", definition.key.redisKey]), "1")
        XCTAssertGreaterThan(limiter.stats.redisErrors.load(ordering: .relaxed), 0)
        XCTAssertGreaterThan(limiter.stats.failureModeMicros.load(ordering: .relaxed), 0, "time with the breaker open is counted once it closes")
    }

    func testFailureModeClosedFailsWithUnavailable() throws {
        let limiter = try makeLimiter(timeout: .milliseconds(50), failureMode: .closed)
        let definition = check(limit("closed", "20/h"))
        XCTAssertTrue(try decide(limiter, [definition]).wait().allowed)
        server.kill()
        for _ in 0..<10 {
            XCTAssertThrowsError(try decide(limiter, [definition]).wait()) { error in
                XCTAssertTrue(error is RateLimitUnavailable, "\(error)")
            }
        }
        XCTAssertEqual(RateLimitRejection.unavailable(RateLimitUnavailable(reason: "x")).httpStatus, .serviceUnavailable)
    }

    /// One stall longer than the timeout: the calls in flight all time out and fall back, but they
    /// count as one failure, so the breaker stays closed and the next requests ask Redis again;
    /// failures one after the other still open it.
    func testCallsTimingOutTogetherCountOnceForTheBreaker() throws {
        let limiter = try makeLimiter(timeout: .milliseconds(50), failureMode: .open)
        let definition = check(limit("stall", "1000/h"))
        XCTAssertFalse(try decide(limiter, [definition]).wait().degraded)
        try server.cli(["CLIENT", "PAUSE", "300", "ALL"])
        let loop = group.next()
        let together = try loop.submit { (0..<20).map { _ in limiter.decide([definition], on: loop) } }.wait()
        XCTAssertTrue(try together.map { try $0.wait() }.allSatisfy { $0.degraded && $0.allowed })
        XCTAssertEqual(limiter.stats.redisErrors.load(ordering: .relaxed), 20)
        XCTAssertTrue(try loop.submit { limiter.breaker(for: loop)!.state.isClosed }.wait(), "one stall, one failure")
        for _ in 0..<3 { XCTAssertTrue(try loop.flatSubmit { limiter.decide([definition], on: loop) }.wait().degraded) }
        XCTAssertFalse(try loop.submit { limiter.breaker(for: loop)!.state.isClosed }.wait(), "three failures in a row")
    }

    /// A paused Redis (not closed: it just does not answer): decisions come back within the timeout
    /// in failure mode, and the breaker stops asking.
    func testSlowRedisIsNotWaitedOn() throws {
        let limiter = try makeLimiter(timeout: .milliseconds(20), failureMode: .open)
        let definition = check(limit("slow", "1000/h"))
        XCTAssertFalse(try decide(limiter, [definition]).wait().degraded)
        try server.cli(["CLIENT", "PAUSE", "1500", "ALL"])
        let decisions = try (0..<20).map { _ in try decide(limiter, [definition]).wait() }
        XCTAssertTrue(decisions.allSatisfy { $0.degraded && $0.allowed })
        XCTAssertLessThan(limiter.stats.redisErrors.load(ordering: .relaxed), 20, "the breaker opened: not every decision asked Redis")
    }
}

/// A request to the `tick` test: only the route is known.
struct TickSource: RateLimitKeySource {
    var clientIP: String? { nil }
    var consumer: String? { nil }
    let route: String
    var method: String { "tick.v1.Tick/Get" }
    func claim(_ name: String) -> String? { nil }
    func header(_ name: String) -> String? { nil }
}
