import NIOCore

/// A rate-limit answer that is ready now (local limits only) or comes with Redis's reply.
public enum RateLimitVerdict {
    case decided(RateLimitDecision)
    /// Fails only with ``RateLimitUnavailable`` (failure mode `closed`).
    case pending(EventLoopFuture<RateLimitDecision>)
}
