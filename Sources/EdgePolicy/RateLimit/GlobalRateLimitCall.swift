import EdgeRedis
import NIOCore

/// One request's script call to Redis, and where its answer goes: it takes the reply itself
/// (``RedisReplyReceiver``) and completes the request's one promise, in place of a chain of
/// futures per request (`flatMap` for `NOSCRIPT`, `flatMapResult`, `flatMapError`, `map`).
///
/// A `NOSCRIPT` reply (Redis restarted, failed over, `SCRIPT FLUSH`) sends the script once more
/// in full (`EVAL`, which also caches it). A call that fails — timeout, connection lost, a reply
/// that is not the script's — counts against the loop's breaker and is decided by the failure mode.
/// Runs on the request's loop (the Redis connection of that loop answers on it).
package final class GlobalRateLimitCall: RedisReplyReceiver, @unchecked Sendable {
    /// What the caller does with the global decision before it completes the future: the local
    /// limits merged in, the counters recorded (``RateLimiter``).
    package struct Conclusion {
        package let limiter: RateLimiter
        package let localChecks: [RateLimitCheck]

        package func conclude(_ global: RateLimitDecision) -> RateLimitDecision { limiter.concluded(global, localChecks: localChecks) }
    }

    /// Where the request's decision goes: the promise of ``GlobalRateLimiter/decide(_:on:)``, or
    /// straight to the policy chain as the ``PolicyResume`` it waits for (one promise per request,
    /// not a decision's promise and a resumption's promise mapped from it).
    package enum Completion {
        case decision(EventLoopPromise<RateLimitDecision>)
        case policy(EventLoopPromise<PolicyResume>, RateLimitPolicy.Resumption)

        func complete(_ result: Result<RateLimitDecision, Error>) {
            switch self {
            case .decision(let promise): promise.completeWith(result)
            case .policy(let promise, let resumption): promise.succeed(resumption.resume(result))
            }
        }
    }

    private let eventLoop: EventLoop
    private let completion: Completion
    private let limiter: GlobalRateLimiter
    private let checks: [RateLimitCheck]
    private let breaker: GlobalRateLimiter.LoopBreaker?
    private let probe: Bool
    private let started: NIODeadline
    private let conclusion: Conclusion?
    private var sentSource = false

    package init(
        limiter: GlobalRateLimiter, checks: [RateLimitCheck], eventLoop: EventLoop, completion: Completion,
        breaker: GlobalRateLimiter.LoopBreaker?, probe: Bool, started: NIODeadline, conclusion: Conclusion?
    ) {
        self.limiter = limiter
        self.checks = checks
        self.eventLoop = eventLoop
        self.completion = completion
        self.breaker = breaker
        self.probe = probe
        self.started = started
        self.conclusion = conclusion
    }

    /// Writes the script call into the loop's Redis buffer (the first time as `EVALSHA`).
    package func send() {
        let checks = self.checks
        let withSource = sentSource
        limiter.client.send(on: eventLoop, replyTo: self) { RateLimitScript.write(checks, withSource: withSource, to: &$0) }
    }

    package func redisReplied(_ reply: RESPValue) {
        if !sentSource, case .error(let message) = reply, message.readableBytesView.starts(with: "NOSCRIPT".utf8) {
            sentSource = true
            return send()
        }
        let stats = limiter.stats
        stats.redisCalls.wrappingIncrement(ordering: .relaxed)
        stats.redisLatencyMicros.wrappingIncrement(by: Int((NIODeadline.now() - started).nanoseconds / 1000), ordering: .relaxed)
        guard let decision = RateLimitScript.decision(from: reply, checks: checks) else {
            return redisFailed(.unavailable("unexpected script reply"))
        }
        breaker?.record(failure: false, probe: probe, started: started, stats: stats)
        completion.complete(.success(conclusion?.conclude(decision) ?? decision))
    }

    package func redisFailed(_ error: RedisError) {
        limiter.stats.redisErrors.wrappingIncrement(ordering: .relaxed)
        breaker?.record(failure: true, probe: probe, started: started, stats: limiter.stats)
        let result = limiter.failureMode(checks, reason: String(describing: error))
        completion.complete(conclusion.map { conclusion in result.map { conclusion.conclude($0) } } ?? result)
    }
}
