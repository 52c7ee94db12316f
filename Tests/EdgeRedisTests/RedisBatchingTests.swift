import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

@testable import EdgeRedis

/// Commands issued in one loop tick go out in one flush, each gets its own reply in order (through
/// a ``RedisReplyReceiver`` or a future), exactly once — also when some of the batch time out or
/// the connection dies under it. Against a real `redis-server`.
final class RedisBatchingTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var server: RedisServerProcess!

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        server = try RedisServerProcess()
    }

    override func tearDownWithError() throws {
        server?.stop()
        try group?.syncShutdownGracefully()
    }

    func makeClient(_ configure: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisClient {
        var configuration = RedisConfiguration(port: server.port, commandTimeout: .seconds(5))
        configure(&configuration)
        return try RedisClient(configuration: configuration, group: group)
    }

    /// Sends `commands` (with their timeouts) from inside one task of the loop, i.e. in one tick.
    func sendInOneTick(_ client: RedisClient, _ commands: [(RedisCommand, TimeAmount?)]) -> [Receiver] {
        let loop = group.next()
        let receivers = commands.map { _ in Receiver(loop: loop) }
        try! loop.submit {
            for (index, (command, timeout)) in commands.enumerated() {
                client.send(command, on: loop, timeout: timeout, replyTo: receivers[index])
            }
        }.wait()
        return receivers
    }

    func flushes(_ client: RedisClient) throws -> Int {
        let loop = group.next()
        return try loop.submit { client.connection(for: loop)!.flushes }.wait()
    }

    /// A connection up before the batch (the first command connects).
    func connected(_ client: RedisClient) throws {
        XCTAssertEqual(try client.send(RedisCommand("PING"), on: group.next()).wait().string, "PONG")
    }

    func testCommandsOfOneTickGoOutInOneFlushAndGetTheirOwnRepliesInOrder() throws {
        let client = try makeClient()
        try connected(client)
        let before = try flushes(client)
        var commands: [(RedisCommand, TimeAmount?)] = []
        for index in 0..<200 {
            commands.append(index % 2 == 0 ? (RedisCommand("ECHO", "value-\(index)"), nil) : (RedisCommand("INCR", "counter"), nil))
        }
        let receivers = sendInOneTick(client, commands)
        for (index, receiver) in receivers.enumerated() {
            let result = try receiver.result()
            if index % 2 == 0 {
                XCTAssertEqual(try result.get().string, "value-\(index)")
            } else {
                // INCRs in the order sent: the (index + 1) / 2-th increment.
                XCTAssertEqual(try result.get(), .integer(Int64((index + 1) / 2)))
            }
        }
        XCTAssertEqual(try flushes(client) - before, 1, "200 commands of one tick, one flush")
        // Futures and receivers mix in one batch and keep their order.
        let loop = group.next()
        let receiver = Receiver(loop: loop)
        let futures = try loop.submit { () -> [EventLoopFuture<RESPValue>] in
            let first = client.send(RedisCommand("ECHO", "a"), on: loop)
            client.send(RedisCommand("ECHO", "b"), on: loop, replyTo: receiver)
            let third = client.send(RedisCommand("ECHO", "c"), on: loop)
            return [first, third]
        }.wait()
        XCTAssertEqual(try futures[0].wait().string, "a")
        XCTAssertEqual(try receiver.result().get().string, "b")
        XCTAssertEqual(try futures[1].wait().string, "c")
        for receiver in receivers + [receiver] { XCTAssertEqual(receiver.calls, 1) }
        try client.shutdown().wait()
    }

    /// A paused server: the commands of the batch with a short timeout fail with `.timeout`, those
    /// with a long one get their own replies when the server is back, and the late replies of the
    /// timed-out ones go to nobody (the next batch gets its own).
    func testTimeoutInsideABatchKeepsTheOthersInStep() throws {
        let client = try makeClient()
        try connected(client)
        try server.cli(["CLIENT", "PAUSE", "400", "ALL"])
        var commands: [(RedisCommand, TimeAmount?)] = []
        for index in 0..<20 {
            commands.append((RedisCommand("ECHO", "slow-\(index)"), index % 3 == 0 ? .seconds(5) : .milliseconds(50)))
        }
        let receivers = sendInOneTick(client, commands)
        for (index, receiver) in receivers.enumerated() {
            let result = try receiver.result()
            if index % 3 == 0 {
                XCTAssertEqual(try result.get().string, "slow-\(index)", "command \(index)")
            } else {
                XCTAssertThrowsError(try result.get(), "command \(index)") { XCTAssertEqual($0 as? RedisError, .timeout) }
            }
        }
        let after = sendInOneTick(client, (0..<5).map { (RedisCommand("ECHO", "after-\($0)"), nil) })
        for (index, receiver) in after.enumerated() { XCTAssertEqual(try receiver.result().get().string, "after-\(index)") }
        for receiver in receivers + after { XCTAssertEqual(receiver.calls, 1) }
        try client.shutdown().wait()
    }

    /// The server dies while a batch waits for its replies: every command of it fails once; the
    /// client reconnects and the next batch (sent while connecting, then written in one go) gets
    /// its replies in order.
    func testConnectionLostMidBatchFailsItOnceAndTheNextBatchGoesThrough() throws {
        let client = try makeClient {
            $0.reconnectBackoff = .milliseconds(10)
            $0.maxReconnectBackoff = .milliseconds(50)
        }
        try connected(client)
        try server.cli(["CLIENT", "PAUSE", "2000", "ALL"])
        let receivers = sendInOneTick(client, (0..<30).map { (RedisCommand("INCR", "n-\($0)"), nil) })
        usleep(100_000)  // the batch is on the wire, its replies held back by the pause
        let port = server.port
        server.kill()
        for receiver in receivers {
            XCTAssertThrowsError(try receiver.result().get()) { error in
                XCTAssertEqual(error as? RedisError, .connectionClosed)
            }
        }
        server = try RedisServerProcess(port: port)
        var batch: [Receiver] = []
        for _ in 0..<200 {
            batch = sendInOneTick(client, (0..<30).map { (RedisCommand("ECHO", "again-\($0)"), nil) })
            if (try? batch[0].result().get()) != nil { break }
            usleep(20_000)
        }
        for (index, receiver) in batch.enumerated() { XCTAssertEqual(try receiver.result().get().string, "again-\(index)") }
        for receiver in receivers + batch { XCTAssertEqual(receiver.calls, 1) }
        try client.shutdown().wait()
    }

    func testCommandBuilderWritesWhatTheArrayFormWrites() {
        var built = RedisCommand(argumentCount: 7)
        built.append("EVALSHA")
        built.append("")
        built.append(0)
        built.append(-42)
        built.append(Int64.max)
        built.append(Int64.min)
        built.appendArgument(length: 9) { buffer in
            buffer.writeString("ab{")
            buffer.writeString("é|")  // two bytes
            buffer.writeString("}:z")
        }
        let expected = RedisCommand(["EVALSHA", "", "0", "-42", String(Int64.max), String(Int64.min), "ab{é|}:z"])
        XCTAssertEqual(built, expected)
        for value: Int64 in [0, 9, 10, 99, 100, 12_345, -1, -10, 1_000_000_000_000] {
            XCTAssertEqual(RedisCommand.decimalLength(value), String(value).utf8.count, "\(value)")
        }
    }
}

/// Records what a command's reply receiver got, and on which loop; waits for it.
final class Receiver: RedisReplyReceiver, @unchecked Sendable {
    private let lock = NIOLock()
    private let done = DispatchSemaphore(value: 0)
    private let loop: EventLoop
    private var outcome: Result<RESPValue, Error>?
    private var count = 0
    private var offLoop = false

    init(loop: EventLoop) { self.loop = loop }

    func redisReplied(_ reply: RESPValue) { record(.success(reply)) }
    func redisFailed(_ error: RedisError) { record(.failure(error)) }

    private func record(_ result: Result<RESPValue, Error>) {
        let onLoop = loop.inEventLoop
        lock.withLock {
            count += 1
            if !onLoop { offLoop = true }
            if outcome == nil { outcome = result }
        }
        done.signal()
    }

    var calls: Int { lock.withLock { count } }

    /// The reply or failure (waits up to 10 s); fails the test if it came off the loop.
    func result(file: StaticString = #filePath, line: UInt = #line) throws -> Result<RESPValue, Error> {
        guard done.wait(timeout: .now() + 10) == .success else { throw TestFailure("no reply within 10 s") }
        done.signal()  // for a second look
        return lock.withLock {
            XCTAssertFalse(offLoop, "receiver called off its loop", file: file, line: line)
            return outcome!
        }
    }
}
