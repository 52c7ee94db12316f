import Logging
import NIOCore
import NIOSSL

/// A Redis client with one pipelined connection per event loop of its group.
///
/// A command sent from a loop of the group goes out on that loop's connection and its future
/// completes on that loop: no hop, no lock. From any other thread or loop it is carried to a loop of
/// the group and the future hops back to the caller's loop.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private let group: EventLoopGroup
    /// One per loop of the group, found by a linear scan (a handful of loops: cheaper than hashing).
    private let connections: [RedisLoopConnection]

    public init(configuration: RedisConfiguration, group: EventLoopGroup, logger: Logger = Logger(label: "edge.redis")) throws {
        self.configuration = configuration
        self.group = group
        let sslContext = try configuration.tls.map { try NIOSSLContext(configuration: $0) }
        self.connections = group.makeIterator().map { loop in
            RedisLoopConnection(eventLoop: loop, configuration: configuration, sslContext: sslContext, logger: logger)
        }
    }

    func connection(for eventLoop: EventLoop) -> RedisLoopConnection? {
        for connection in connections where connection.eventLoop === eventLoop { return connection }
        return nil
    }

    /// Sends one command; the future completes on `eventLoop` with the reply (error replies
    /// included) or fails with ``RedisError``.
    public func send(_ command: RedisCommand, on eventLoop: EventLoop, timeout: TimeAmount? = nil) -> EventLoopFuture<RESPValue> {
        let timeout = timeout ?? configuration.commandTimeout
        if let connection = connection(for: eventLoop) {
            if eventLoop.inEventLoop { return connection.send(command.encoded, timeout: timeout) }
            return eventLoop.flatSubmit { connection.send(command.encoded, timeout: timeout) }
        }
        let connection = self.connection(for: group.next()) ?? connections[0]
        return connection.eventLoop.flatSubmit { connection.send(command.encoded, timeout: timeout) }.hop(to: eventLoop)
    }

    /// Sends one command whose reply (error replies included) or failure goes to `receiver`, once,
    /// without a future: on `eventLoop` when it is a loop of the group (the caller's loop: no
    /// hop), else on the loop of the group that sent it.
    public func send(_ command: RedisCommand, on eventLoop: EventLoop, timeout: TimeAmount? = nil, replyTo receiver: any RedisReplyReceiver) {
        send(on: eventLoop, timeout: timeout, replyTo: receiver) { $0.append(encoded: command.encoded) }
    }

    /// As ``send(_:on:timeout:replyTo:)``, with the command appended by `write` (exactly one
    /// command: `*N` and its N arguments): on the caller's loop straight into the buffer of the
    /// loop tick's commands, without a buffer of its own.
    public func send(on eventLoop: EventLoop, timeout: TimeAmount? = nil, replyTo receiver: any RedisReplyReceiver, command write: (inout RedisCommand) -> Void) {
        let timeout = timeout ?? configuration.commandTimeout
        let connection = connection(for: eventLoop) ?? self.connection(for: group.next()) ?? connections[0]
        if connection.eventLoop.inEventLoop {
            connection.send(timeout: timeout, target: .receiver(receiver), write: write)
        } else {
            var command = RedisCommand(continuing: ByteBuffer())
            write(&command)
            let encoded = command.encoded
            connection.eventLoop.execute { connection.send(encoded, timeout: timeout, target: .receiver(receiver)) }
        }
    }

    /// `EVALSHA`, and `EVAL` with the full script when the server does not know it (`NOSCRIPT`).
    public func run(_ script: RedisScript, keys: [String], arguments: [String], on eventLoop: EventLoop, timeout: TimeAmount? = nil) -> EventLoopFuture<RESPValue> {
        send(script.evalSHA(keys: keys, arguments: arguments), on: eventLoop, timeout: timeout).flatMap { reply in
            if let message = reply.errorMessage, message.hasPrefix("NOSCRIPT") {
                return self.send(script.eval(keys: keys, arguments: arguments), on: eventLoop, timeout: timeout)
            }
            return eventLoop.makeSucceededFuture(reply)
        }
    }

    /// Whether `eventLoop`'s connection is open now (for health reporting; `false` off the group).
    public func isConnected(on eventLoop: EventLoop) -> Bool {
        guard eventLoop.inEventLoop, let connection = connection(for: eventLoop) else { return false }
        return connection.isConnected
    }

    /// Closes every connection; commands sent afterwards fail.
    public func shutdown() -> EventLoopFuture<Void> {
        let futures = connections.map { connection in connection.eventLoop.flatSubmit { connection.shutdown() } }
        return EventLoopFuture.andAllComplete(futures, on: group.any())
    }
}
