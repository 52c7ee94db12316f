import NIOCore

/// Where a command's reply goes: the promise of ``RedisClient/send(_:on:timeout:)``, or a
/// ``RedisReplyReceiver``.
enum RedisReplyTarget: Sendable {
    case promise(EventLoopPromise<RESPValue>)
    case receiver(any RedisReplyReceiver)

    func succeed(_ reply: RESPValue) {
        switch self {
        case .promise(let promise): promise.succeed(reply)
        case .receiver(let receiver): receiver.redisReplied(reply)
        }
    }

    func fail(_ error: RedisError) {
        switch self {
        case .promise(let promise): promise.fail(error)
        case .receiver(let receiver): receiver.redisFailed(error)
        }
    }
}
