import NIOCore
import NIOPosix
import EdgeCore

/// Rate limits and quotas as a policy of the chain, after authentication (so consumer and claims
/// are known). Local limits decide at once; global ones suspend the chain for one Redis round trip
/// and resume on the request's loop. An allowed request gets the `RateLimit-Policy`/`RateLimit`
/// fields on its response (unless switched off); a rejected one 429 with them and `Retry-After`;
/// with Redis away in failure mode `closed`, 503.
package struct RateLimitPolicy: RequestPolicy {
    package let name = "rate_limit"
    package let limiter: RateLimiter
    package let plan: RateLimitPlan
    /// `RateLimit-Policy` for a request that every limit of the plan applies to (the usual case),
    /// with the number of those limits: local first, as decisions list them.
    package let policyOfAll: (count: Int, value: String?)

    package init(limiter: RateLimiter, plan: RateLimitPlan) {
        self.limiter = limiter
        self.plan = plan
        let all = plan.local + (limiter.global == nil ? [] : plan.global)
        policyOfAll = (all.count, RateLimitHeaders.policy(all))
    }

    package func evaluate(_ exchange: inout PolicyExchange) -> PolicyVerdict {
        let source = PolicyRateLimitKeySource(exchange: &exchange)
        guard let loop = exchange.connection.eventLoop ?? MultiThreadedEventLoopGroup.currentEventLoop else {
            return .refuse(EdgeError(code: .internal, message: "rate limits evaluated off an event loop"))
        }
        let resumption = Resumption(headers: limiter.options.headers, policyOfAll: policyOfAll)
        return limiter.check(plan, source: source, on: loop, resumption: resumption, exchange: &exchange)
    }

    /// What the chain does with a decision: the verdict, the decisions recorded, the header fields.
    package struct Resumption: Sendable {
        let headers: Bool
        let policyOfAll: (count: Int, value: String?)

        package func apply(_ decision: RateLimitDecision, to exchange: inout PolicyExchange) -> PolicyVerdict {
            RateLimitPolicy.apply(decision, headers: headers, policyOfAll: policyOfAll, to: &exchange)
        }

        /// The chain's verdict once Redis has answered (or failed: failure mode `closed`).
        func verdict(_ result: Result<RateLimitDecision, Error>, to exchange: inout PolicyExchange) -> PolicyVerdict {
            switch result {
            case .success(let decision):
                return apply(decision, to: &exchange)
            case .failure(let error):
                let failure = error as? RateLimitUnavailable ?? RateLimitUnavailable(reason: String(describing: error))
                exchange.refusalReason = "redis_unavailable"
                return .refuse(RateLimitRejection.unavailable(failure))
            }
        }
    }

    package static func apply(
        _ decision: RateLimitDecision, headers: Bool, policyOfAll: (count: Int, value: String?)? = nil, to exchange: inout PolicyExchange
    ) -> PolicyVerdict {
        exchange.rateLimitDecisions.reserveCapacity(exchange.rateLimitDecisions.count + decision.checks.count)
        for index in decision.checks.indices {
            let definition = decision.checks[index].definition
            let kind: RateLimitDecisionKind =
                decision.outcomes[index].allowed ? .allowed : (definition.mode == .shadow ? .shadowRejected : .rejected)
            exchange.rateLimitDecisions.append((definition.name, kind))
        }
        guard decision.allowed else {
            exchange.refusalReason = decision.degraded ? "redis_unavailable" : "limit_exceeded"
            return .refuse(RateLimitRejection.error(for: decision, headers: headers))
        }
        if headers { RateLimitHeaders.appendFields(decision, policyOfAll: policyOfAll, to: &exchange.responseHeaders) }
        return .proceed
    }
}
