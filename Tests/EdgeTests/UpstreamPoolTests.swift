import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgeUpstream

/// End-to-end tests of ``UpstreamPool`` over real sockets against ``ScriptedH2Backend``.
final class UpstreamPoolTests: ScriptedUpstreamTestCase {
    // MARK: helpers

    private func pool(_ endpoints: [String], budget: RetryBudget.Configuration = .defaults) throws -> UpstreamPool {
        try pool(cluster: UpstreamClusterConfig(name: "test", endpoints: endpoints.map { UpstreamEndpoint(stringLiteral: $0) }, connectTimeout: .seconds(2), retryBudget: budget))
    }

    private func call(
        _ pool: UpstreamPool,
        _ method: String,
        message: [UInt8] = Array("ping".utf8),
        metadata: [(name: String, value: String)] = [],
        timeout: TimeAmount = .seconds(5),
        policy: CallPolicy = CallPolicy()
    ) throws -> UpstreamResponse {
        let request = self.request(method, message: message, metadata: metadata, timeout: timeout)
        return try pool.call(request, policy: policy, on: self.clientGroup.next()).wait()
    }

    private func bytes(_ buffer: ByteBuffer?) -> [UInt8]? {
        buffer.map { Array($0.readableBytesView) }
    }

    // MARK: responses

    func testEchoesMessageAndMetadataBothWays() throws {
        let backend = try backend { request in
            let echoed = request.headers.filter { $0.name.hasPrefix("x-") }.map { ($0.name, $0.value) }
            return GRPCScript.unary(Array(request.message.readableBytesView), headers: echoed, trailers: [("x-trailer", "done")])
        }
        let pool = try pool([backend.address])
        let response = try call(pool, "Echo", message: [1, 2, 3], metadata: [("x-user", "alice"), ("x-token-bin", "AAEC")])
        XCTAssertEqual(response.status, GRPCStatus(code: .ok))
        XCTAssertEqual(bytes(response.message), [1, 2, 3])
        XCTAssertEqual(response.headers.map { "\($0.name)=\($0.value)" }, ["x-user=alice", "x-token-bin=AAEC"])
        XCTAssertEqual(response.trailers.map { "\($0.name)=\($0.value)" }, ["x-trailer=done"])

        let request = try XCTUnwrap(backend.snapshot.requests.first)
        XCTAssertEqual(request.headers.first(name: ":method"), "POST")
        XCTAssertEqual(request.headers.first(name: ":scheme"), "http")
        XCTAssertEqual(request.headers.first(name: ":path"), "/test.Svc/Echo")
        XCTAssertEqual(request.headers.first(name: ":authority"), backend.address)
        XCTAssertEqual(request.headers.first(name: "content-type"), "application/grpc")
        XCTAssertEqual(request.headers.first(name: "te"), "trailers")
        let timeout = try XCTUnwrap(request.headers.first(name: "grpc-timeout"))
        XCTAssertNotNil(timeout.range(of: #"^[0-9]{1,8}[HMSmun]$"#, options: .regularExpression), timeout)
        XCTAssertEqual(Array(request.body.readableBytesView), [0, 0, 0, 0, 3, 1, 2, 3])
    }

    func testReassemblesMessageSplitAcrossDataFrames() throws {
        let payload = Array(0..<200).map { UInt8($0) }
        let backend = try backend { _ in
            var framed = GRPCScript.frame(payload)
            let a = framed.readSlice(length: 3)!
            let b = framed.readSlice(length: 100)!
            return [
                .headers(GRPCScript.responseHeaders(), endStream: false),
                .data(a, endStream: false), .data(b, endStream: false), .data(framed, endStream: false),
                .headers(GRPCScript.trailers(0), endStream: true),
            ]
        }
        let response = try call(try pool([backend.address]), "Split")
        XCTAssertEqual(response.status.code, .ok)
        XCTAssertEqual(bytes(response.message), payload)
    }

    func testTwoMessagesInOneFrameIsInternal() throws {
        let backend = try backend { _ in
            var both = GRPCScript.frame([1])
            var second = GRPCScript.frame([2])
            both.writeBuffer(&second)
            return [.headers(GRPCScript.responseHeaders(), endStream: false), .data(both, endStream: false), .hang]
        }
        let response = try call(try pool([backend.address]), "Two")
        XCTAssertEqual(response.status.code, .internal)
        XCTAssertTrue(backend.waitUntil { $0.resets["/test.Svc/Two"] == 1 }, "the stream was not reset")
    }

    func testOKWithoutMessageIsInternal() throws {
        let backend = try backend { _ in [.headers(GRPCScript.responseHeaders(), endStream: false), .headers(GRPCScript.trailers(0), endStream: true)] }
        let response = try call(try pool([backend.address]), "None")
        XCTAssertEqual(response.status.code, .internal)
        XCTAssertNil(response.message)
    }

    func testTrailersOnlyStatusWithDetails() throws {
        // google.rpc.Status{code: 5, message: "x"}, base64 without padding.
        let details: [UInt8] = [0x08, 0x05, 0x12, 0x01, 0x78]
        let backend = try backend { _ in
            [.headers(GRPCScript.trailersOnly(5, message: "no such thing: 100%25 gone", extra: [("grpc-status-details-bin", "CAUSAXg"), ("x-why", "test")]), endStream: true)]
        }
        let response = try call(try pool([backend.address]), "Missing")
        XCTAssertEqual(response.status, GRPCStatus(code: .notFound, message: "no such thing: 100% gone", details: details))
        XCTAssertEqual(response.trailers.map { $0.name }, ["x-why"])
    }

    func testNon200StatusMapsThroughHTTPTable() throws {
        let backend = try backend { _ in [.headers([":status": "503"], endStream: true)] }
        let response = try call(try pool([backend.address]), "Down")
        XCTAssertEqual(response.status.code, .unavailable)
        XCTAssertTrue(response.status.message.contains("503"), response.status.message)
    }

    func testMissingGRPCStatusIsUnknown() throws {
        let backend = try backend { _ in
            [.headers(GRPCScript.responseHeaders(), endStream: false), .data(GRPCScript.frame([9]), endStream: false), .headers(["x-no": "status"], endStream: true)]
        }
        let response = try call(try pool([backend.address]), "NoStatus")
        XCTAssertEqual(response.status.code, .unknown)
    }

    func testCompressedMessageIsInternal() throws {
        let backend = try backend { _ in [.headers(GRPCScript.responseHeaders(), endStream: false), .data(GRPCScript.frame([1], compressed: true), endStream: false), .hang] }
        let response = try call(try pool([backend.address]), "Gzip")
        XCTAssertEqual(response.status.code, .internal)
    }

    func testOversizedResponseIsResourceExhaustedAndResetsStream() throws {
        let backend = try backend { _ in GRPCScript.unary(Array(repeating: 7, count: 2000)) }
        let response = try call(try pool([backend.address]), "Big", policy: CallPolicy(maxResponseBytes: 1000))
        XCTAssertEqual(response.status.code, .resourceExhausted)
        XCTAssertTrue(response.status.message.contains("2000"), response.status.message)
        XCTAssertNil(response.message)
    }

    // MARK: deadlines

    func testDeadlineExceededResetsStream() throws {
        let backend = try backend { _ in [.headers(GRPCScript.responseHeaders(), endStream: false), .hang] }
        let response = try call(try pool([backend.address]), "Slow", timeout: .milliseconds(200), policy: Self.retrying)
        XCTAssertEqual(response.status.code, .deadlineExceeded)
        XCTAssertTrue(backend.waitUntil { $0.resets["/test.Svc/Slow"] == 1 }, "the stream was not reset with CANCEL")
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Slow"], 1)
    }

    func testExpiredDeadlineSendsNothing() throws {
        let backend = try backend { _ in GRPCScript.unary([1]) }
        let response = try call(try pool([backend.address]), "Late", timeout: .milliseconds(-1))
        XCTAssertEqual(response.status.code, .deadlineExceeded)
        XCTAssertEqual(backend.snapshot.requests.count, 0)
    }

    // MARK: retries

    func testRetriesUnavailableThenSucceeds() throws {
        let backend = try backend { request in
            request.attempt < 3 ? [.headers(GRPCScript.trailersOnly(14, message: "busy"), endStream: true)] : GRPCScript.unary([42])
        }
        let pool = try pool([backend.address])
        let response = try call(pool, "Flaky", policy: Self.retrying)
        XCTAssertEqual(response.status.code, .ok)
        XCTAssertEqual(bytes(response.message), [42])
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Flaky"], 3)
        XCTAssertEqual(pool.stats(cluster: "test")?.retries, 2)
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 1, "the connection is reused across attempts")
    }

    func testMaxAttemptsBoundsRetries() throws {
        let backend = try backend { _ in [.headers(GRPCScript.trailersOnly(14, message: "busy"), endStream: true)] }
        let response = try call(try pool([backend.address]), "Down", policy: Self.retrying)
        XCTAssertEqual(response.status, GRPCStatus(code: .unavailable, message: "busy"))
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Down"], 3)
    }

    func testNonRetryableCodeIsNotRetried() throws {
        let backend = try backend { _ in [.headers(GRPCScript.trailersOnly(3, message: "bad"), endStream: true)] }
        let response = try call(try pool([backend.address]), "Bad", policy: Self.retrying)
        XCTAssertEqual(response.status.code, .invalidArgument)
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Bad"], 1)
    }

    func testNonIdempotentCallIsNotRetried() throws {
        let backend = try backend { _ in [.headers(GRPCScript.trailersOnly(14), endStream: true)] }
        var policy = Self.retrying
        policy.retriesAllowed = false
        let response = try call(try pool([backend.address]), "Create", policy: policy)
        XCTAssertEqual(response.status.code, .unavailable)
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Create"], 1)
    }

    func testRefusedStreamIsRetriedEvenWhenNotIdempotent() throws {
        let backend = try backend { request in request.attempt == 1 ? [.reset(.refusedStream)] : GRPCScript.unary([1]) }
        let policy = CallPolicy(retry: RetryPolicy(maxAttempts: 1), retriesAllowed: false)
        let response = try call(try pool([backend.address]), "Create", policy: policy)
        XCTAssertEqual(response.status.code, .ok)
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Create"], 2)
    }

    func testResetStreamCancelIsCancelledAndNotRetried() throws {
        let backend = try backend { _ in [.reset(.cancel)] }
        let response = try call(try pool([backend.address]), "Cancel", policy: Self.retrying)
        XCTAssertEqual(response.status.code, .cancelled)
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Cancel"], 1)
    }

    func testGoAwayRetriesOnNewConnection() throws {
        let backend = try backend { request in request.attempt == 1 ? [.goAwayAndClose] : GRPCScript.unary([5]) }
        let pool = try pool([backend.address])
        let response = try call(pool, "Create", policy: CallPolicy(retriesAllowed: false))
        XCTAssertEqual(response.status.code, .ok)
        XCTAssertEqual(bytes(response.message), [5])
        let stats = try XCTUnwrap(pool.stats(cluster: "test"))
        XCTAssertEqual(stats.goAwaysReceived, 1)
        XCTAssertEqual(stats.connectionsOpened, 2)
        XCTAssertEqual(backend.snapshot.connections, 2)
    }

    func testBackoffThatWouldPassDeadlineEndsRetries() throws {
        let backend = try backend { _ in [.headers(GRPCScript.trailersOnly(14, message: "busy"), endStream: true)] }
        // Every backoff is at least 0 and at most 60 s; with a 1 s deadline at most a few
        // retries fit, and the call ends with the backend's status, not DEADLINE_EXCEEDED,
        // unless a retry was already in flight when the deadline hit.
        let policy = CallPolicy(retry: RetryPolicy(maxAttempts: 100, initialBackoff: .seconds(60), maxBackoff: .seconds(60)), retriesAllowed: true)
        let response = try call(try pool([backend.address]), "Down", timeout: .seconds(1), policy: policy)
        XCTAssertTrue([.unavailable, .deadlineExceeded].contains(response.status.code))
        XCTAssertLessThan(backend.snapshot.attempts["/test.Svc/Down"] ?? 0, 100)
    }

    func testRetryBudgetLimitsRetries() throws {
        let backend = try backend { _ in [.headers(GRPCScript.trailersOnly(14), endStream: true)] }
        // No floor, retries at most 50% of requests: over 4 calls, 2 retries fit (after the 2nd and 4th call started).
        let pool = try pool([backend.address], budget: .init(ratio: 0.5, minRetriesPerSecond: 0, windowSeconds: 60))
        for _ in 0..<4 {
            XCTAssertEqual(try call(pool, "Down", policy: Self.retrying).status.code, .unavailable)
        }
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Down"], 6)
        XCTAssertEqual(pool.stats(cluster: "test")?.retries, 2)
    }

    func testARouteWithItsOwnBudgetIsLimitedByItNotByTheClusters() throws {
        let backend = try backend { _ in [.headers(GRPCScript.trailersOnly(14), endStream: true)] }
        // The cluster's budget allows every retry; the route's own allows 50% of its requests:
        // none after the first call, one after the second.
        let clusterBudget = RetryBudget.Configuration(ratio: 1, minRetriesPerSecond: 100, windowSeconds: 60)
        var routePolicy = Self.retrying
        routePolicy.retryBudget = RetryBudget(configuration: .init(ratio: 0.5, minRetriesPerSecond: 0, windowSeconds: 60))
        let limited = try pool([backend.address], budget: clusterBudget)
        for _ in 0..<2 {
            XCTAssertEqual(try call(limited, "Down", policy: routePolicy).status.code, .unavailable)
        }
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Down"], 3)
        // A route on the cluster's budget (its own pool, so that outlier detection does not
        // mix in): every call makes all of its attempts.
        let open = try pool([backend.address], budget: clusterBudget)
        for _ in 0..<2 {
            XCTAssertEqual(try call(open, "Other", policy: Self.retrying).status.code, .unavailable)
        }
        XCTAssertEqual(backend.snapshot.attempts["/test.Svc/Other"], 2 * Self.retrying.retry.maxAttempts)
    }

    // MARK: connections

    func testConnectionFailureIsUnavailable() throws {
        let deadPort = try EndToEndFixture.closedPort()
        let pool = try pool(["127.0.0.1:\(deadPort)"])
        let response = try call(pool, "Any", policy: CallPolicy(retry: RetryPolicy(maxAttempts: 1)))
        XCTAssertEqual(response.status.code, .unavailable)
        XCTAssertTrue(response.status.message.contains("cannot connect to upstream 127.0.0.1:\(deadPort)"), response.status.message)
    }

    func testUnreachableEndpointFailsOverToNextEndpoint() throws {
        let backend = try backend { _ in GRPCScript.unary([1]) }
        let pool = try pool(["127.0.0.1:\(try EndToEndFixture.closedPort())", backend.address])
        // Not idempotent: only the never-sent transparent retry may move it to the live endpoint.
        let response = try call(pool, "Create", policy: CallPolicy(retriesAllowed: false))
        XCTAssertEqual(response.status.code, .ok)
    }

    func testRoundRobinOverEndpoints() throws {
        let a = try backend { _ in GRPCScript.unary([1]) }
        let b = try backend { _ in GRPCScript.unary([2]) }
        let pool = try pool([a.address, b.address])
        var seen: [UInt8] = []
        for _ in 0..<4 { seen += bytes(try call(pool, "Echo").message) ?? [] }
        XCTAssertEqual(seen.sorted(), [1, 1, 2, 2])
        XCTAssertEqual(a.snapshot.connections, 1)
        XCTAssertEqual(b.snapshot.connections, 1)
    }

    func testSurvivesPingFlood() throws {
        let backend = try backend { request in request.path.hasSuffix("Flood") ? [.pings(1000)] + GRPCScript.unary([1]) : GRPCScript.unary([2]) }
        let pool = try pool([backend.address])
        XCTAssertEqual(try call(pool, "Flood").status.code, .ok)
        XCTAssertEqual(try call(pool, "Flood").status.code, .ok)
        XCTAssertEqual(try call(pool, "After").status.code, .ok)
        let stats = try XCTUnwrap(pool.stats(cluster: "test"))
        XCTAssertEqual(stats.connectionsOpened, 1)
        XCTAssertEqual(stats.connectionsClosed, 0)
        XCTAssertEqual(stats.goAwaysReceived, 0)
        XCTAssertEqual(stats.pingsReceived, 2000)
    }

    func testConnectionErrorFailsInFlightCallsAtOnceAndReconnects() throws {
        // NIO answers a connection error with GOAWAY but leaves the socket open; the call
        // must fail at once instead of waiting for its deadline.
        let backend = try backend { request in request.path.hasSuffix("Broken") ? [.garbageFrame, .hang] : GRPCScript.unary([2]) }
        let pool = try pool([backend.address])
        let broken = try call(pool, "Broken", timeout: .seconds(60))
        XCTAssertEqual(broken.status.code, .unavailable, broken.status.message)
        XCTAssertEqual(try call(pool, "After").status.code, .ok)
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 2)
    }

    func testManyConcurrentCallsShareOneConnection() throws {
        let backend = try backend { request in GRPCScript.unary(Array(request.message.readableBytesView)) }
        let pool = try pool([backend.address])
        let loop = self.clientGroup.next()
        let futures = (0..<50).map { i in
            pool.call(
                request("Echo", message: [UInt8(i)], timeout: .seconds(5)),
                policy: CallPolicy(),
                on: loop
            )
        }
        for (i, future) in futures.enumerated() {
            let response = try future.wait()
            XCTAssertEqual(bytes(response.message), [UInt8(i)])
        }
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 1)
    }

    func testUnknownServiceIsUnimplemented() throws {
        let pool = try pool(["127.0.0.1:1"])
        let request = UpstreamRequest(path: "/other.Svc/M", service: "other.Svc", metadata: [], message: ByteBuffer(), deadline: .now() + .seconds(1))
        let response = try pool.call(request, policy: CallPolicy(), on: self.clientGroup.next()).wait()
        XCTAssertEqual(response.status.code, .unimplemented)
    }

    func testConfigurationErrors() {
        // Endpoint text is parsed once, with the configuration: a pool only ever sees parsed endpoints.
        XCTAssertNil(UpstreamEndpoint(parsing: "nohost"))
        XCTAssertThrowsError(try UpstreamPool(clusters: [UpstreamClusterConfig(name: "a", endpoints: [])], services: [:]))
        XCTAssertThrowsError(try UpstreamPool(clusters: [UpstreamClusterConfig(name: "a", endpoints: ["h:1"])], services: ["x": "b"]))
        XCTAssertThrowsError(
            try UpstreamPool(clusters: [UpstreamClusterConfig(name: "a", endpoints: ["h:1"], tls: true, tlsCAFile: "/nonexistent.pem")], services: [:])
        )
    }
}
