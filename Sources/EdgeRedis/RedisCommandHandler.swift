import NIOCore

/// Matches replies to commands in order (RESP replies come in the order commands were sent), times
/// commands out, and fails everything still waiting when the connection ends.
///
/// Commands are not written through the pipeline one by one: ``RedisLoopConnection`` has them
/// written (``enqueue(target:timeout:write:)``) straight into one buffer, which ``flush()``
/// writes once per loop tick — no buffer, no boxed write, no pending-write entry per command.
///
/// A timed-out command fails at once and keeps its place, so a late reply is discarded. A connection
/// whose oldest command has waited longer than `stallTimeout` is closed: the server is hung, and the
/// owner reconnects.
final class RedisCommandHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Replies are parsed here, as the bytes come (no decoder in front, no reply boxed through the pipeline).
    private let parser: RESPParser
    /// An incomplete reply's bytes, waiting for the rest.
    private var partial: ByteBuffer?
    /// A malformed or unexpected reply closed the connection: the rest of the read is dropped.
    private var closing = false

    private var pending = RedisPendingCommands()
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private let maxPending: Int
    private let stallTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    /// The commands enqueued since the last ``flush()``.
    private var outbound: ByteBuffer?

    init(maxPending: Int, stallTimeout: TimeAmount, limits: RESPLimits = .defaults) {
        self.parser = RESPParser(limits: limits)
        self.maxPending = maxPending
        self.stallTimeout = stallTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        self.context = nil
    }

    /// Has `write` append one command to this tick's buffer and queues `target` for its reply;
    /// on the channel's loop. `false` when too many commands wait already, or the handler has
    /// left the pipeline: `target` has then failed (and `write` was not called).
    @discardableResult
    func enqueue(target: RedisReplyTarget, timeout: TimeAmount, write: (inout RedisCommand) -> Void) -> Bool {
        guard let context else {
            target.fail(.connectionClosed)
            return false
        }
        guard pending.count < maxPending else {
            target.fail(.overloaded(limit: maxPending))
            return false
        }
        // Moved out and back, so that the buffer stays uniquely referenced: `consume` ends the
        // local's lifetime here (else it lives on past `write`, and the first byte written copies it all).
        let buffer = outbound ?? context.channel.allocator.buffer(capacity: 1024)
        outbound = nil
        var command = RedisCommand(continuing: consume buffer)
        write(&command)
        outbound = command.encoded
        let now = NIODeadline.now()
        let deadline = now + timeout
        pending.append(.init(command: nil, target: target, deadline: deadline, sentAt: now))
        armTimer(for: deadline, context: context)
        return true
    }

    /// As ``enqueue(target:timeout:write:)``, for a command already encoded.
    @discardableResult
    func enqueue(_ command: ByteBuffer, target: RedisReplyTarget, timeout: TimeAmount) -> Bool {
        enqueue(target: target, timeout: timeout) { $0.append(encoded: command) }
    }

    /// Writes and flushes the commands enqueued since the last flush.
    func flush() {
        guard let context, let buffer = outbound else { return }
        outbound = nil
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Closing after a bad reply: what still comes is out of step.
        guard !closing else { return }
        var buffer = Self.unwrapInboundIn(data)
        if var earlier = partial {
            // The start of a reply came with the last read.
            partial = nil
            earlier.writeBuffer(&buffer)
            buffer = earlier
        }
        do {
            while let reply = try parser.parse(&buffer) {
                guard let entry = pending.popFirst() else {
                    // A reply nobody asked for: the stream is out of step.
                    return close(context, .unavailable("a reply to no command"))
                }
                entry.target?.succeed(reply)
                // Whoever took the reply may have closed the connection.
                guard self.context != nil, !closing else { return }
            }
        } catch let error as RESPParseError {
            return close(context, .protocolError(error))
        } catch {
            return close(context, .unavailable(String(describing: error)))
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            partial = buffer
        }
    }

    private func close(_ context: ChannelHandlerContext, _ error: RedisError) {
        closing = true
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        close(context, error as? RedisError ?? .unavailable(String(describing: error)))
    }

    private func failAll(_ error: RedisError) {
        outbound = nil
        partial = nil
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
