import EdgeRedis
import NIOCore
import NIOSSL
import EdgeConfig
import EdgeUpstream

/// Global limits: one `EVALSHA` of ``RateLimitScript`` per request, on the caller's event loop, with a
/// circuit breaker per loop connection and the configured failure mode.
///
/// A call that fails (timeout, connection lost, a reply that is not the script's) counts against the
/// breaker (calls that time out together in one stall count once); after `breakerFailures` in a row
/// Redis is not asked for `breakerOpenTime`, then one probe goes through. In failure mode `open` the request is decided by the local fallback (each limit at
/// `rate / instances`), in `closed` it fails with ``RateLimitUnavailable`` (503).
public final class GlobalRateLimiter: Sendable {
    /// One loop's breaker (touched only on that loop) and since when it has been away from closed.
    package final class LoopBreaker: @unchecked Sendable {
        package let eventLoop: EventLoop
        package var state: CircuitBreakerState
        package var failingSince: NIODeadline?
        /// When the last failure was counted.
        package var lastFailure: NIODeadline?
        package init(_ configuration: CircuitBreakerConfiguration, eventLoop: EventLoop) {
            self.eventLoop = eventLoop
            state = CircuitBreakerState(configuration: configuration, now: .now())
        }

        /// Records the end of a call sent at `started`; adds the time spent open to `stats` when the
        /// breaker closes again.
        ///
        /// A failed call that was already on its way when the last failure was counted is not counted
        /// again: the calls in flight during one stall of Redis (or of this loop) all time out
        /// together, and they are one failure, not dozens in a row. Otherwise a single stall longer
        /// than the timeout under load would open the breaker, and every request of the open time
        /// would go to the failure mode. Calls that fail at once (Redis away) still count one by one.
        package func record(failure: Bool, probe: Bool, started: NIODeadline, now: NIODeadline = .now(), stats: RateLimitStats) {
            if failure, !probe, let lastFailure, started <= lastFailure { return }
            if failure { lastFailure = now }
            state.record(failure: failure, probe: probe, now: now)
            if !state.isClosed, failingSince == nil { failingSince = now }
            if state.isClosed, let since = failingSince {
                stats.failureModeMicros.wrappingIncrement(by: Int((now - since).nanoseconds / 1000), ordering: .relaxed)
                failingSince = nil
            }
        }
    }

    public let settings: RateLimitRedisSettings
    public let client: RedisClient
    public let stats: RateLimitStats
    private let fallback: LocalRateLimiter
    /// One per loop of the group, found by a linear scan (a handful of loops: cheaper than hashing).
    private let breakers: [LoopBreaker]
    private let breakerConfiguration: CircuitBreakerConfiguration

    public init(settings: RateLimitRedisSettings, group: EventLoopGroup, stats: RateLimitStats, fallbackMaxKeys: Int = 100_000) throws {
        self.settings = settings
        var tls: TLSConfiguration?
        if settings.tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caFile = settings.caFile { configuration.trustRoots = .file(caFile) }
            tls = configuration
        }
        var configuration = RedisConfiguration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls, connectTimeout: settings.connectTimeout, commandTimeout: settings.timeout)
        configuration.preloadScripts = [RateLimitScript.script]
        self.client = try RedisClient(configuration: configuration, group: group)
        self.stats = stats
        self.fallback = LocalRateLimiter(maxKeys: fallbackMaxKeys)
        let breakerConfiguration = CircuitBreakerConfiguration(
            consecutiveFailures: max(1, settings.breakerFailures), errorRate: 0,
            openTimeout: settings.breakerOpenTime, maxOpenTimeout: max(settings.breakerOpenTime, .seconds(2)))
        self.breakerConfiguration = breakerConfiguration
        self.breakers = group.makeIterator().map { LoopBreaker(breakerConfiguration, eventLoop: $0) }
    }

    /// Decides `checks` (all global) for one request; completes on `eventLoop`.
    public func decide(_ checks: [RateLimitCheck], on eventLoop: EventLoop) -> EventLoopFuture<RateLimitDecision> {
        let promise = eventLoop.makePromise(of: RateLimitDecision.self)
        decide(checks, on: eventLoop, conclusion: nil, completion: .decision(promise))
        return promise.futureResult
    }

    /// As ``decide(_:on:)``, the decision going to `completion`; `conclusion` (when given) turns the
    /// global decision into the request's first, so that the caller needs no `map` of its own.
    /// The call is returned for the policy chain to wait on (``PolicyWait``); it may be decided
    /// already (no checks, the breaker open, Redis's connection gone).
    @discardableResult
    package func decide(
        _ checks: [RateLimitCheck], on eventLoop: EventLoop, conclusion: GlobalRateLimitCall.Conclusion?, completion: GlobalRateLimitCall.Completion
    ) -> GlobalRateLimitCall {
        let breaker = eventLoop.inEventLoop ? breaker(for: eventLoop) : nil
        let now = NIODeadline.now()
        let admission = checks.isEmpty ? .allowed : breaker?.state.admit(now: now) ?? .allowed
        let call = GlobalRateLimitCall(
            limiter: self, checks: checks, eventLoop: eventLoop, completion: completion, breaker: breaker, probe: admission == .probe,
            started: now, conclusion: conclusion)
        if checks.isEmpty {
            call.complete(.success(.empty))
        } else if admission == .rejected {
            call.complete(failureMode(checks, reason: "circuit open"))
        } else {
            call.send()
        }
        return call
    }

    package func breaker(for eventLoop: EventLoop) -> LoopBreaker? {
        for breaker in breakers where breaker.eventLoop === eventLoop { return breaker }
        return nil
    }

    package func failureMode(_ checks: [RateLimitCheck], reason: String) -> Result<RateLimitDecision, Error> {
        stats.failureModeDecisions.wrappingIncrement(ordering: .relaxed)
        switch settings.failureMode {
        case .closed:
            return .failure(RateLimitUnavailable(reason: reason))
        case .open:
            let local = checks.map { RateLimitCheck(definition: $0.definition.fallback(instances: settings.instances), key: $0.key) }
            var decision = fallback.decide(local, now: RateLimitClock.monotonicMicros(), wallClock: RateLimitClock.wallClockMicros())
            decision.checks = checks
            decision.degraded = true
            return .success(decision)
        }
    }

    public func shutdown() -> EventLoopFuture<Void> { client.shutdown() }
}
