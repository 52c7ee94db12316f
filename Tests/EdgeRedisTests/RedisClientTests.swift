import EdgeRedis
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import XCTest

/// The client against a real `redis-server` started per test on a private port.
final class RedisClientTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var server: RedisServerProcess!

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        server = try RedisServerProcess()
    }

    override func tearDownWithError() throws {
        server?.stop()
        try group?.syncShutdownGracefully()
    }

    func makeClient(_ configure: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisClient {
        var configuration = RedisConfiguration(port: server.port, commandTimeout: .seconds(2))
        configure(&configuration)
        return try RedisClient(configuration: configuration, group: group)
    }

    func testSetGetAndErrorRepliesKeepTheConnection() throws {
        let client = try makeClient()
        let loop = group.next()
        XCTAssertEqual(try client.send(RedisCommand("SET", "greeting", "hello"), on: loop).wait().string, "OK")
        XCTAssertEqual(try client.send(RedisCommand("GET", "greeting"), on: loop).wait().string, "hello")
        XCTAssertEqual(try client.send(RedisCommand("GET", "missing"), on: loop).wait(), .bulkString(nil))
        let error = try client.send(RedisCommand("INCR", "greeting"), on: loop).wait()
        XCTAssertTrue(error.errorMessage?.hasPrefix("ERR") ?? false, "\(error)")
        XCTAssertEqual(try client.send(RedisCommand("PING"), on: loop).wait().string, "PONG")
        let list = try client.send(RedisCommand("RPUSH", "list", "a", "b"), on: loop).wait()
        XCTAssertEqual(list, .integer(2))
        XCTAssertEqual(try client.send(RedisCommand("LRANGE", "list", "0", "-1"), on: loop).wait().array?.map(\.string), ["a", "b"])
        try client.shutdown().wait()
    }

    /// Replies larger than one read of the socket arrive in pieces: the handler keeps the start of
    /// each and parses it whole once the rest is in, while the replies pipelined after it stay in step.
    func testRepliesSpanningManyReadsComeWholeAndInStep() throws {
        let client = try makeClient()
        let loop = group.next()
        let big = String(repeating: "0123456789abcdef", count: 200_000)  // 3.2 MB
        XCTAssertEqual(try client.send(RedisCommand("SET", "big", big), on: loop).wait().string, "OK")
        let replies = try loop.flatSubmit {
            EventLoopFuture.whenAllSucceed(
                [
                    client.send(RedisCommand("GET", "big"), on: loop),
                    client.send(RedisCommand("ECHO", "after"), on: loop),
                    client.send(RedisCommand("GET", "big"), on: loop),
                ], on: loop)
        }.wait()
        XCTAssertEqual(replies.count, 3)
        XCTAssertEqual(replies[0].string?.utf8.count, big.utf8.count)
        XCTAssertEqual(replies[0].string, big)
        XCTAssertEqual(replies[1].string, "after")
        XCTAssertEqual(replies[2].string, big)
        try client.shutdown().wait()
    }

    /// Many commands from every loop at once: each reply matches its command, and they complete on the caller's loop.
    func testPipelinedCommandsFromEveryLoopMatchTheirReplies() throws {
        let client = try makeClient()
        let wrongLoop = NIOLockedValueBox(0)
        var futures: [EventLoopFuture<(Int, RESPValue)>] = []
        for index in 0..<2000 {
            let loop = group.next()
            let future = loop.flatSubmit {
                client.send(RedisCommand("ECHO", "value-\(index)"), on: loop).map { reply -> (Int, RESPValue) in
                    if !loop.inEventLoop { wrongLoop.withLockedValue { $0 += 1 } }
                    return (index, reply)
                }
            }
            futures.append(future)
        }
        for future in futures {
            let (index, reply) = try future.wait()
            XCTAssertEqual(reply.string, "value-\(index)")
        }
        XCTAssertEqual(wrongLoop.withLockedValue { $0 }, 0)
        var incrs: [EventLoopFuture<RESPValue>] = []
        for _ in 0..<1000 { incrs.append(client.send(RedisCommand("INCR", "counter"), on: group.next())) }
        let values = try incrs.map { try $0.wait().int64! }
        XCTAssertEqual(Set(values), Set(1...1000))
        try client.shutdown().wait()
    }

    func testCallerOutsideTheGroupGetsItsFutureOnItsLoop() throws {
        let client = try makeClient()
        let other = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? other.syncShutdownGracefully() }
        let loop = other.next()
        let onLoop = try client.send(RedisCommand("PING"), on: loop).map { _ in loop.inEventLoop }.wait()
        XCTAssertTrue(onLoop)
        try client.shutdown().wait()
    }

    func testAuthAndSelect() throws {
        server.stop()
        server = try RedisServerProcess(arguments: ["--requirepass", "s3cret-pass"])
        let client = try makeClient {
            $0.password = "s3cret-pass"
            $0.database = 3
        }
        let loop = group.next()
        XCTAssertEqual(try client.send(RedisCommand("SET", "in-three", "yes"), on: loop).wait().string, "OK")
        XCTAssertEqual(try server.cli(["-a", "s3cret-pass", "--no-auth-warning", "-n", "3", "GET", "in-three"]), "yes")
        XCTAssertEqual(try server.cli(["-a", "s3cret-pass", "--no-auth-warning", "-n", "0", "EXISTS", "in-three"]), "0")
        try client.shutdown().wait()

        let wrong = try makeClient { $0.password = "wrong" }
        let reply = try? wrong.send(RedisCommand("GET", "x"), on: loop).wait()
        XCTAssertNotEqual(reply?.string, "yes")
        if let reply { XCTAssertTrue(reply.isError, "\(reply)") }
        try wrong.shutdown().wait()
    }

    func testScriptRunsBySHAAndReloadsAfterNOSCRIPT() throws {
        let client = try makeClient()
        let loop = group.next()
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        XCTAssertEqual(try server.cli(["SCRIPT", "LOAD", script.source]), script.sha1)
        XCTAssertEqual(try client.run(script, keys: ["n"], arguments: ["5"], on: loop).wait(), .integer(5))
        XCTAssertEqual(try server.cli(["SCRIPT", "FLUSH"]), "OK")
        XCTAssertEqual(try server.cli(["SCRIPT", "EXISTS", script.sha1]), "0")
        XCTAssertEqual(try client.run(script, keys: ["n"], arguments: ["2"], on: loop).wait(), .integer(7))
        XCTAssertEqual(try server.cli(["SCRIPT", "EXISTS", script.sha1]), "1")
        try client.shutdown().wait()
    }

    /// A paused server: the command fails with a timeout, and the late reply is not given to the next command.
    func testCommandTimeoutKeepsRepliesInStep() throws {
        let client = try makeClient { $0.commandTimeout = .milliseconds(50) }
        let loop = group.next()
        XCTAssertEqual(try client.send(RedisCommand("SET", "k", "first"), on: loop).wait().string, "OK")
        try server.cli(["CLIENT", "PAUSE", "400", "ALL"])
        XCTAssertThrowsError(try client.send(RedisCommand("GET", "k"), on: loop).wait()) { error in
            XCTAssertEqual(error as? RedisError, .timeout)
        }
        let later = try client.send(RedisCommand("ECHO", "second"), on: loop, timeout: .seconds(5)).wait()
        XCTAssertEqual(later.string, "second")
        try client.shutdown().wait()
    }

    func testNothingListeningFailsFastThenBacksOff() throws {
        let port = try RedisServerProcess.freePort()
        let client = try RedisClient(configuration: RedisConfiguration(port: port, reconnectBackoff: .seconds(30)), group: group)
        let loop = group.next()
        XCTAssertThrowsError(try client.send(RedisCommand("PING"), on: loop).wait()) { error in
            guard case .unavailable = error as? RedisError else { return XCTFail("\(error)") }
        }
        // Within the backoff the next command does not even try.
        XCTAssertThrowsError(try client.send(RedisCommand("PING"), on: loop).wait()) { error in
            XCTAssertEqual(error as? RedisError, .unavailable("reconnecting"))
        }
        try client.shutdown().wait()
    }

    func testReconnectsWhenTheServerComesBack() throws {
        let client = try makeClient {
            $0.reconnectBackoff = .milliseconds(20)
            $0.maxReconnectBackoff = .milliseconds(200)
        }
        let loop = group.next()
        XCTAssertEqual(try client.send(RedisCommand("SET", "a", "1"), on: loop).wait().string, "OK")
        let port = server.port
        server.kill()
        var failures = 0
        for _ in 0..<5 {
            do { _ = try client.send(RedisCommand("PING"), on: loop).wait() } catch { failures += 1 }
        }
        XCTAssertEqual(failures, 5)
        server = try RedisServerProcess(port: port)
        var reply: RESPValue?
        for _ in 0..<300 where reply == nil {
            reply = try? client.send(RedisCommand("PING"), on: loop).wait()
            if reply == nil { usleep(20_000) }
        }
        XCTAssertEqual(reply?.string, "PONG")
        try client.shutdown().wait()
    }

    /// A server that answers with bytes that are not RESP: the command fails, nothing crashes.
    func testMalformedReplyFailsTheCommand() throws {
        let garbage = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(GarbageReplier()) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? garbage.close().wait() }
        let client = try RedisClient(configuration: RedisConfiguration(port: garbage.localAddress!.port!, commandTimeout: .seconds(2)), group: group)
        XCTAssertThrowsError(try client.send(RedisCommand("PING"), on: group.next()).wait()) { error in
            XCTAssertEqual(error as? RedisError, .protocolError(.unknownType(UInt8(ascii: "?"))))
        }
        try client.shutdown().wait()
    }

    func testBackoffDoublesUpToTheMaximum() {
        let backoff = RedisReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(2))
        XCTAssertEqual(backoff.delay(afterFailures: 0), .zero)
        XCTAssertEqual(backoff.delay(afterFailures: 1), .milliseconds(100))
        XCTAssertEqual(backoff.delay(afterFailures: 3), .milliseconds(400))
        XCTAssertEqual(backoff.delay(afterFailures: 6), .seconds(2))
        XCTAssertEqual(backoff.delay(afterFailures: 1000), .seconds(2))
    }
}

final class GarbageReplier: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "?garbage\r\n")), promise: nil)
    }
}

/// The client over TLS to a real `redis-server --tls-port`, with a CA and certificate made by `openssl`.
final class RedisClientTLSTests: XCTestCase {
    func testCommandsOverTLSAndRefusalOfAnUntrustedServer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-redis-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { throw XCTSkip("openssl is not installed") }
        func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, arguments.joined(separator: " "))
        }
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=edge test CA"])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext"])
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=other CA"])

        let port = try RedisServerProcess.freePort()
        let server = try RedisServerProcess(arguments: [
            "--port", "0", "--tls-port", String(port), "--tls-cert-file", directory + "/server.pem",
            "--tls-key-file", directory + "/server.key", "--tls-ca-cert-file", directory + "/ca.pem", "--tls-auth-clients", "no",
        ], port: port)
        defer { server.stop() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(directory + "/ca.pem")
        let client = try RedisClient(
            configuration: RedisConfiguration(port: port, tls: tls, tlsServerName: "localhost", commandTimeout: .seconds(5)), group: group)
        XCTAssertEqual(try client.send(RedisCommand("SET", "over", "tls"), on: group.next()).wait().string, "OK")
        XCTAssertEqual(try client.send(RedisCommand("GET", "over"), on: group.next()).wait().string, "tls")
        try client.shutdown().wait()

        var untrusted = TLSConfiguration.makeClientConfiguration()
        untrusted.trustRoots = .file(directory + "/other.pem")
        let refused = try RedisClient(
            configuration: RedisConfiguration(port: port, tls: untrusted, tlsServerName: "localhost", commandTimeout: .seconds(5)), group: group)
        XCTAssertThrowsError(try refused.send(RedisCommand("PING"), on: group.next()).wait())
        try refused.shutdown().wait()
    }
}
