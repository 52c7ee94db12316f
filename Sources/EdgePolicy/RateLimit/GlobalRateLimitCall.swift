import EdgeRedis
import NIOCore

/// One request's script call to Redis, and where its answer goes: it takes the reply itself
/// (``RedisReplyReceiver``) and either completes a promise or — for the policy chain — is the
/// chain's ``PolicyWait`` itself, telling the request's handler directly: no promise, no future's
/// callback list, no closure per request.
///
/// A `NOSCRIPT` reply (Redis restarted, failed over, `SCRIPT FLUSH`) sends the script once more
/// in full (`EVAL`, which also caches it). A call that fails — timeout, connection lost, a reply
/// that is not the script's — counts against the loop's breaker and is decided by the failure mode.
/// Runs on the request's loop (the Redis connection of that loop answers on it).
package final class GlobalRateLimitCall: RedisReplyReceiver, PolicyWait, @unchecked Sendable {
    /// What the caller does with the global decision before it completes: the local limits
    /// consumed and merged in (``RateLimiter``).
    package struct Conclusion {
        package let limiter: RateLimiter
        package let localChecks: [RateLimitCheck]

        package func conclude(_ global: RateLimitDecision) -> RateLimitDecision { limiter.concluded(global, localChecks: localChecks) }
    }

    /// Where the request's decision goes: the promise of ``GlobalRateLimiter/decide(_:on:)``, or
    /// the policy chain, which waits on this call (``PolicyWait``) and gets its verdict from the
    /// resumption.
    package enum Completion {
        case decision(EventLoopPromise<RateLimitDecision>)
        case policy(RateLimitPolicy.Resumption)
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
    /// The decision, once in (``Completion/policy(_:)``): kept until the chain resumes.
    private var result: Result<RateLimitDecision, Error>?
    /// The handler waiting for ``result`` (``Completion/policy(_:)``).
    private var target: (any PolicyWaitTarget)?

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
        let now = NIODeadline.now()
        stats.redisLatencyMicros.wrappingIncrement(by: Int((now - started).nanoseconds / 1000), ordering: .relaxed)
        guard let decision = RateLimitScript.decision(from: reply, checks: checks) else {
            return redisFailed(.unavailable("unexpected script reply"))
        }
        breaker?.record(failure: false, probe: probe, started: started, now: now, stats: stats)
        complete(.success(decision))
    }

    package func redisFailed(_ error: RedisError) {
        limiter.stats.redisErrors.wrappingIncrement(ordering: .relaxed)
        breaker?.record(failure: true, probe: probe, started: started, stats: limiter.stats)
        complete(limiter.failureMode(checks, reason: String(describing: error)))
    }

    /// The global decision is in — from Redis, from the failure mode, or without Redis (no checks,
    /// the breaker open): the local limits merged in, and on to the promise or the waiting handler.
    package func complete(_ global: Result<RateLimitDecision, Error>) {
        let result = conclusion.map { conclusion in global.map { conclusion.conclude($0) } } ?? global
        switch completion {
        case .decision(let promise):
            promise.completeWith(result)
        case .policy:
            self.result = result
            if let target {
                self.target = nil
                target.policyWaitEnded(self)
            }
        }
    }

    package func notify(_ target: any PolicyWaitTarget, on eventLoop: EventLoop) {
        if result == nil {
            self.target = target
        } else {
            target.policyWaitEnded(self)
        }
    }

    package func resume(_ exchange: inout PolicyExchange) -> PolicyVerdict {
        guard case .policy(let resumption) = completion, let result else {
            preconditionFailure("GlobalRateLimitCall.resume before its decision, or not for a policy")
        }
        return resumption.verdict(result, to: &exchange)
    }
}
