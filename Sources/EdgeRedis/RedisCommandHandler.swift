import NIOCore

/// One command on the wire: its bytes, the promise its reply completes, and its timeout.
struct RedisOutboundCommand: Sendable {
    var command: ByteBuffer
    var promise: EventLoopPromise<RESPValue>
    var timeout: TimeAmount
}

/// Matches replies to commands in order (RESP replies come in the order commands were sent), times
/// commands out, and fails everything still waiting when the connection ends.
///
/// A timed-out command fails at once and keeps its place, so a late reply is discarded. A connection
/// whose oldest command has waited longer than `stallTimeout` is closed: the server is hung, and the
/// owner reconnects.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisOutboundCommand
    typealias OutboundOut = ByteBuffer

    private var pending = RedisPendingCommands()
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private let maxPending: Int
    private let stallTimeout: TimeAmount
    private var context: ChannelHandlerContext?

    init(maxPending: Int, stallTimeout: TimeAmount) {
        self.maxPending = maxPending
        self.stallTimeout = stallTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outbound = Self.unwrapOutboundIn(data)
        guard pending.count < maxPending else {
            outbound.promise.fail(RedisError.overloaded(limit: maxPending))
            promise?.succeed()
            return
        }
        let now = NIODeadline.now()
        let deadline = now + outbound.timeout
        pending.append(.init(command: nil, promise: outbound.promise, deadline: deadline, sentAt: now))
        armTimer(for: deadline, context: context)
        context.write(Self.wrapOutboundOut(outbound.command), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = Self.unwrapInboundIn(data)
        guard let entry = pending.popFirst() else {
            // A reply nobody asked for: the stream is out of step.
            context.close(promise: nil)
            return
        }
        entry.promise?.succeed(value)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(error as? RedisError ?? RedisError.unavailable(String(describing: error)))
        context.close(promise: nil)
    }

    private func failAll(_ error: Error) {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        for entry in pending.removeAll() { entry.promise?.fail(error) }
    }

    private func armTimer(for deadline: NIODeadline, context: ChannelHandlerContext) {
        if let current = timerDeadline, current <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) { loopBound.value.timerFired() }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard let context else { return }
        let now = NIODeadline.now()
        for promise in pending.expire(now: now) { promise.fail(RedisError.timeout) }
        if let oldest = pending.oldestSentAt, now - oldest >= stallTimeout {
            failAll(RedisError.timeout)
            context.close(promise: nil)
            return
        }
        if let next = pending.nextDeadline {
            armTimer(for: next, context: context)
        } else if let oldest = pending.oldestSentAt {
            // Only abandoned commands are left: look again when they count as a stall.
            armTimer(for: oldest + stallTimeout, context: context)
        }
    }
}
