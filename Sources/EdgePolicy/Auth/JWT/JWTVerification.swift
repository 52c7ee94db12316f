import NIOCore

/// What ``JWTProvider/verify(_:on:now:mayWait:)`` answers, synchronously, on the
/// request's event loop.
public enum JWTVerification: Sendable {
    case verified(VerifiedJWT)
    case rejected(JWTFailure)
    /// The keys needed are being fetched: wait for this future (on the caller's loop;
    /// it succeeds when the fetch ends, whether or not the fetch worked), then call
    /// `verify` again with `mayWait: false`, which answers from what the provider has.
    case awaitingKeys(EventLoopFuture<Void>)
}
