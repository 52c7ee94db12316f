/// Takes a command's reply without a future, for hot paths that would otherwise chain several
/// futures (a promise and a closure each) per command: the rate limiter's one script call per
/// request. Called on the event loop of the connection the command went out on, exactly once.
public protocol RedisReplyReceiver: AnyObject, Sendable {
    /// The reply, error replies (`-ERR ...`, `-NOSCRIPT ...`) included.
    func redisReplied(_ reply: RESPValue)
    /// No reply: timed out, connection lost, Redis away, malformed reply.
    func redisFailed(_ error: RedisError)
}
