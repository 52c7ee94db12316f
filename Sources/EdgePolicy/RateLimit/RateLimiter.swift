import NIOCore
import EdgeConfig

/// Decides a request's limits, local and global together, so that it passes only if all pass and a
/// rejected request consumes nothing from any.
///
/// Order: the local limits are evaluated without consuming (a local rejection answers at once, Redis
/// is not asked); then the global ones are decided and consumed in one script call; then, if those
/// passed, the local ones are consumed. Between the first local look and the last, another request
/// on another loop may take a local limit's last unit; this request is then rejected although its
/// global units were spent (the only case where a rejected request consumes anything, and only
/// from global limits).
public final class RateLimiter: Sendable {
    public let local: LocalRateLimiter
    public let global: GlobalRateLimiter?
    public let options: RateLimitOptions

    public init(local: LocalRateLimiter, global: GlobalRateLimiter?, options: RateLimitOptions) {
        self.local = local
        self.global = global
        self.options = options
    }

    public func check(_ plan: RateLimitPlan, source: some RateLimitKeySource, on eventLoop: EventLoop) -> RateLimitVerdict {
        switch prepare(plan, source: source) {
        case .decided(let decision):
            return .decided(decision)
        case .global(let global, let globalChecks, let conclusion):
            let promise = eventLoop.makePromise(of: RateLimitDecision.self)
            global.decide(globalChecks, on: eventLoop, conclusion: conclusion, completion: .decision(promise))
            return .pending(promise.futureResult)
        }
    }

    /// As ``check(_:source:on:)`` for the policy chain: the chain waits on the global decision's
    /// script call itself (no promise per request), and `resumption` makes its verdict.
    package func check(
        _ plan: RateLimitPlan, source: some RateLimitKeySource, on eventLoop: EventLoop, resumption: RateLimitPolicy.Resumption,
        exchange: inout PolicyExchange
    ) -> PolicyVerdict {
        switch prepare(plan, source: source) {
        case .decided(let decision):
            return resumption.apply(decision, to: &exchange)
        case .global(let global, let globalChecks, let conclusion):
            return .wait(global.decide(globalChecks, on: eventLoop, conclusion: conclusion, completion: .policy(resumption)))
        }
    }

    private enum Preparation {
        case decided(RateLimitDecision)
        /// Redis decides the global checks; the conclusion merges in the local ones.
        case global(GlobalRateLimiter, [RateLimitCheck], GlobalRateLimitCall.Conclusion)
    }

    private func prepare(_ plan: RateLimitPlan, source: some RateLimitKeySource) -> Preparation {
        let localChecks = Self.checks(plan.local, source)
        let globalChecks = global == nil ? [] : Self.checks(plan.global, source)
        guard !globalChecks.isEmpty, let global else {
            return .decided(local.decide(localChecks, now: RateLimitClock.monotonicMicros(), wallClock: RateLimitClock.wallClockMicros()))
        }
        if !localChecks.isEmpty {
            let preview = local.decide(localChecks, now: RateLimitClock.monotonicMicros(), wallClock: RateLimitClock.wallClockMicros(), commit: false)
            if !preview.allowed {
                return .decided(preview)
            }
        }
        return .global(global, globalChecks, .init(limiter: self, localChecks: localChecks))
    }

    /// The request's decision once the global limits are decided: the local ones consumed if
    /// those passed, merged in.
    package func concluded(_ globalDecision: RateLimitDecision, localChecks: [RateLimitCheck]) -> RateLimitDecision {
        if localChecks.isEmpty { return globalDecision }
        guard globalDecision.allowed else {
            // Rejected by a global limit: local limits shown as they are, nothing consumed.
            let localView = local.decide(localChecks, now: RateLimitClock.monotonicMicros(), wallClock: RateLimitClock.wallClockMicros(), commit: false)
            return localView.merged(with: globalDecision)
        }
        let localDecision = local.decide(localChecks, now: RateLimitClock.monotonicMicros(), wallClock: RateLimitClock.wallClockMicros())
        return localDecision.merged(with: globalDecision)
    }

    package static func checks(_ definitions: [RateLimitDefinition], _ source: some RateLimitKeySource) -> [RateLimitCheck] {
        var checks: [RateLimitCheck] = []
        checks.reserveCapacity(definitions.count)
        for definition in definitions {
            if let key = RateLimitKey(definition: definition, source: source) { checks.append(RateLimitCheck(definition: definition, key: key)) }
        }
        return checks
    }
}
