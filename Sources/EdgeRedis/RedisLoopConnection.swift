import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The one connection to Redis that serves one event loop; touched only on that loop.
///
/// It connects on the first command, pipelines every command written in one loop tick with one
/// flush, sends `AUTH`/`SELECT` first on each new connection, and after a failure waits
/// (``RedisReconnectBackoff``) before it tries again. While it waits, commands fail at once with
/// ``RedisError/unavailable(_:)``: nobody waits on a Redis that is away.
final class RedisLoopConnection: @unchecked Sendable {
    private enum State {
        case idle
        case connecting
        case ready(Channel, RedisCommandHandler)
        case backingOff(until: NIODeadline)
        case shutDown
    }

    let eventLoop: EventLoop
    private let configuration: RedisConfiguration
    private let sslContext: NIOSSLContext?
    private let backoff: RedisReconnectBackoff
    private let logger: Logger
    private var state: State = .idle
    /// Commands that arrived while connecting, written once the connection is up.
    private var buffered = RedisPendingCommands()
    private var bufferTimer: Scheduled<Void>?
    private var failures = 0
    private var flushScheduled = false
    /// Flushes so far (one per loop tick that wrote commands), for tests of the batching.
    private(set) var flushes = 0

    init(eventLoop: EventLoop, configuration: RedisConfiguration, sslContext: NIOSSLContext?, logger: Logger) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.sslContext = sslContext
        self.backoff = RedisReconnectBackoff(initial: configuration.reconnectBackoff, maximum: configuration.maxReconnectBackoff)
        self.logger = logger
    }

    /// Whether a command sent now would go out on an open connection.
    var isConnected: Bool {
        eventLoop.preconditionInEventLoop()
        if case .ready = state { return true }
        return false
    }

    func send(_ command: ByteBuffer, timeout: TimeAmount) -> EventLoopFuture<RESPValue> {
        let promise = eventLoop.makePromise(of: RESPValue.self)
        send(command, timeout: timeout, target: .promise(promise))
        return promise.futureResult
    }

    func send(_ command: ByteBuffer, timeout: TimeAmount, target: RedisReplyTarget) {
        send(timeout: timeout, target: target) { $0.append(encoded: command) }
    }

    /// Sends the command `write` appends: on an open connection straight into the buffer of this
    /// loop tick's commands, else into a buffer of its own that waits for the connection.
    func send(timeout: TimeAmount, target: RedisReplyTarget, write: (inout RedisCommand) -> Void) {
        eventLoop.preconditionInEventLoop()
        switch state {
        case .ready(_, let handler):
            self.write(target: target, timeout: timeout, handler: handler, write)
        case .connecting:
            buffer(Self.encode(write), target: target, timeout: timeout)
        case .idle:
            connect()
            buffer(Self.encode(write), target: target, timeout: timeout)
        case .backingOff(let until):
            if NIODeadline.now() >= until {
                connect()
                buffer(Self.encode(write), target: target, timeout: timeout)
            } else {
                target.fail(.unavailable("reconnecting"))
            }
        case .shutDown:
            target.fail(.unavailable("client shut down"))
        }
    }

    private static func encode(_ write: (inout RedisCommand) -> Void) -> ByteBuffer {
        var command = RedisCommand(continuing: ByteBuffer())
        write(&command)
        return command.encoded
    }

    func shutdown() -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        let previous = state
        state = .shutDown
        failBuffered(.unavailable("client shut down"))
        if case .ready(let channel, _) = previous { return channel.close().recover { _ in } }
        return eventLoop.makeSucceededVoidFuture()
    }

    // MARK: writing

    private func write(target: RedisReplyTarget, timeout: TimeAmount, handler: RedisCommandHandler, _ write: (inout RedisCommand) -> Void) {
        guard handler.enqueue(target: target, timeout: timeout, write: write), !flushScheduled else { return }
        flushScheduled = true
        // One write and flush for everything enqueued in this loop tick: commands of concurrent requests pipeline.
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute {
            let connection = loopBound.value
            connection.flushScheduled = false
            connection.flushes &+= 1
            // The connection's handler now (a connection that closed and came back in this tick has a new one).
            if case .ready(_, let current) = connection.state { current.flush() }
        }
    }

    private func buffer(_ command: ByteBuffer, target: RedisReplyTarget, timeout: TimeAmount) {
        guard buffered.count < configuration.maxPendingCommands else {
            target.fail(.overloaded(limit: configuration.maxPendingCommands))
            return
        }
        let now = NIODeadline.now()
        buffered.append(.init(command: command, target: target, deadline: now + timeout, sentAt: now))
        if bufferTimer == nil { armBufferTimer(now + timeout) }
    }

    private func armBufferTimer(_ deadline: NIODeadline) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        bufferTimer = eventLoop.scheduleTask(deadline: deadline) {
            let connection = loopBound.value
            connection.bufferTimer = nil
            for target in connection.buffered.expire(now: .now()) { target.fail(.timeout) }
            if let next = connection.buffered.nextDeadline { connection.armBufferTimer(next) }
        }
    }

    private func failBuffered(_ error: RedisError) {
        bufferTimer?.cancel()
        bufferTimer = nil
        for entry in buffered.removeAll() { entry.target?.fail(error) }
    }

    // MARK: connecting

    private func connect() {
        state = .connecting
        let configuration = self.configuration
        let sslContext = self.sslContext
        let stallTimeout = max(configuration.commandTimeout * 50, .seconds(1))
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        let name = configuration.tlsServerName ?? configuration.host
                        let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: isAddress ? nil : name))
                    }
                    try sync.addHandler(
                        RedisCommandHandler(maxPending: configuration.maxPendingCommands, stallTimeout: stallTimeout, limits: configuration.limits))
                }
            }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        bootstrap.connect(host: configuration.host, port: configuration.port).whenComplete { result in
            let connection = loopBound.value
            switch result {
            case .success(let channel): connection.connected(channel)
            case .failure(let error): connection.connectFailed(String(describing: error))
            }
        }
    }

    private func connected(_ channel: Channel) {
        guard case .connecting = state else {
            channel.close(promise: nil)
            return
        }
        guard let handler = try? channel.pipeline.syncOperations.handler(type: RedisCommandHandler.self) else {
            channel.close(promise: nil)
            return connectFailed("the connection's pipeline lacks its command handler")
        }
        state = .ready(channel, handler)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        channel.closeFuture.whenComplete { _ in loopBound.value.closed(channel) }

        var setup: [EventLoopFuture<RESPValue>] = []
        if let password = configuration.password {
            let auth = configuration.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password)
            setup.append(send(auth.encoded, timeout: configuration.connectTimeout))
        }
        if configuration.database != 0 {
            setup.append(send(RedisCommand("SELECT", String(configuration.database)).encoded, timeout: configuration.connectTimeout))
        }
        for script in configuration.preloadScripts {
            // Best effort: a failure only means the first EVALSHA falls back to EVAL.
            _ = send(RedisCommand("SCRIPT", "LOAD", script.source).encoded, timeout: configuration.connectTimeout)
        }
        let now = NIODeadline.now()
        bufferTimer?.cancel()
        bufferTimer = nil
        for entry in buffered.removeAll() {
            guard let target = entry.target, let command = entry.command else { continue }
            write(target: target, timeout: max(entry.deadline - now, .nanoseconds(1)), handler: handler) {
                $0.append(encoded: command)
            }
        }
        guard !setup.isEmpty else {
            failures = 0
            return
        }
        EventLoopFuture.whenAllComplete(setup, on: eventLoop).whenSuccess { results in
            let connection = loopBound.value
            for result in results {
                switch result {
                case .success(let reply) where reply.isError:
                    // The refusal's text may echo nothing secret (Redis says "WRONGPASS ..."), but log only its first word.
                    let word = reply.errorMessage?.split(separator: " ").first.map(String.init) ?? "ERR"
                    connection.logger.warning("redis connection setup refused", metadata: ["reply": "\(word)"])
                    channel.close(promise: nil)
                    return
                case .failure:
                    channel.close(promise: nil)
                    return
                default: continue
                }
            }
            connection.failures = 0
        }
    }

    private func connectFailed(_ why: String) {
        guard case .connecting = state else { return }
        failures += 1
        let delay = backoff.delay(afterFailures: failures)
        state = .backingOff(until: .now() + delay)
        logger.debug("redis connect failed", metadata: ["error": "\(why)", "retry_in_ms": "\(delay.nanoseconds / 1_000_000)"])
        failBuffered(.unavailable(why))
    }

    private func closed(_ channel: Channel) {
        guard case .ready(let current, _) = state, current === channel else { return }
        failures += 1
        state = .backingOff(until: .now() + backoff.delay(afterFailures: failures))
        logger.debug("redis connection closed")
    }
}
