import NIOCore

/// One command written through the pipeline: its bytes, where its reply goes, and its timeout.
/// (``RedisLoopConnection`` calls ``RedisCommandHandler/enqueue(_:target:timeout:)`` directly,
/// which spares the box a struct this size takes in `NIOAny`.)
struct RedisOutboundCommand: Sendable {
    var command: ByteBuffer
    var target: RedisReplyTarget
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
        if enqueue(outbound.command, target: outbound.target, timeout: outbound.timeout, context: context, promise: promise) { return }
        promise?.succeed()
    }

    /// Writes `command` (not flushed) and queues `target` for its reply; on the channel's loop.
    /// `false` when too many commands wait already, or the handler has left the pipeline:
    /// `target` has then failed.
    @discardableResult
    func enqueue(_ command: ByteBuffer, target: RedisReplyTarget, timeout: TimeAmount) -> Bool {
        guard let context else {
            target.fail(.connectionClosed)
            return false
        }
        return enqueue(command, target: target, timeout: timeout, context: context, promise: nil)
    }

    private func enqueue(
        _ command: ByteBuffer, target: RedisReplyTarget, timeout: TimeAmount, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?
    ) -> Bool {
        guard pending.count < maxPending else {
            target.fail(.overloaded(limit: maxPending))
            return false
        }
        let now = NIODeadline.now()
        let deadline = now + timeout
        pending.append(.init(command: nil, target: target, deadline: deadline, sentAt: now))
        armTimer(for: deadline, context: context)
        context.write(Self.wrapOutboundOut(command), promise: promise)
        return true
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = Self.unwrapInboundIn(data)
        guard let entry = pending.popFirst() else {
            // A reply nobody asked for: the stream is out of step.
            context.close(promise: nil)
            return
        }
        entry.target?.succeed(value)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(error as? RedisError ?? .unavailable(String(describing: error)))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        for entry in pending.removeAll() { entry.target?.fail(error) }
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
        for target in pending.expire(now: now) { target.fail(.timeout) }
        if let oldest = pending.oldestSentAt, now - oldest >= stallTimeout {
            failAll(.timeout)
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
