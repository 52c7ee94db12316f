import NIOHTTP1
import EdgeCore

/// The edge's answers when limits stop a request: 429 `RESOURCE_EXHAUSTED` with QuotaFailure and
/// RetryInfo details, `Retry-After` and the `RateLimit` fields; 503 `UNAVAILABLE` when Redis is away
/// and the failure mode is `closed`.
public enum RateLimitRejection {
    public static func error(for decision: RateLimitDecision, headers: Bool = true) -> EdgeError {
        let rejected = decision.rejectedBy.map { decision.checks[$0].definition }
        let names = rejected.map(\.name).joined(separator: ", ")
        let message = "rate limit exceeded: \(names)"
        let violations = rejected.map { definition in
            (subject: "rate_limit:\(definition.name)",
             description: "more than \(definition.rate) (burst \(definition.burst)) per \(definition.key.map(\.description).joined(separator: "+"))")
        }
        var fields: [(name: String, value: String)] = [("retry-after", RateLimitHeaders.retryAfter(decision))]
        if headers { fields += RateLimitHeaders.fields(decision) }
        return EdgeError(
            code: .resourceExhausted, message: message, httpStatus: .tooManyRequests,
            details: RateLimitStatusDetails.status(message: message, violations: violations, retryAfterMicros: decision.retryAfter),
            headers: fields)
    }

    public static func unavailable(_ failure: RateLimitUnavailable) -> EdgeError {
        EdgeError(code: .unavailable, message: "rate limits cannot be checked now (limit store unavailable)", httpStatus: .serviceUnavailable)
    }
}
