import NIOCore
import NIOHTTP2
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

/// A unary connection that runs out of HTTP/2 stream IDs (2^31 - 1 is the last odd one)
/// takes no more calls: it is retired, the call that found it exhausted was never
/// sent and goes transparently to a new connection, and nothing is lost or sent twice.
final class UpstreamStreamIDExhaustionTests: XCTestCase {
    func testAConnectionOutOfStreamIDsIsReplacedWithoutLosingACall() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let backend = try ScriptedH2Backend { request in GRPCScript.unary(Array(request.message.readableBytesView)) }
        defer { backend.shutdown() }
        var config = UpstreamClusterConfig(name: "test", endpoints: ["\(backend.address)"], connectTimeout: .seconds(2))
        // Each connection has room for exactly one stream: 2^31 - 5; 2^31 - 3 is refused by the edge.
        config.firstStreamID = Int(HTTP2StreamID.maxID) - 4
        let pool = try UpstreamPool(clusters: [config], services: ["test": "test"])
        defer { pool.close() }

        for index in 0..<3 {
            let request = UpstreamRequest(
                path: "/test.Svc/Create", service: "test.Svc", metadata: [],
                message: ByteBuffer(bytes: [UInt8(index)]), deadline: .now() + .seconds(5))
            // The default policy: not idempotent, no retries; only the transparent one applies.
            let response = try pool.call(request, policy: CallPolicy(), on: group.next()).wait()
            XCTAssertEqual(response.status, GRPCStatus(code: .ok), "call \(index)")
            XCTAssertEqual(response.message.map { Array($0.readableBytesView) }, [UInt8(index)])
        }
        let log = backend.snapshot
        XCTAssertEqual(log.requests.map { Array($0.message.readableBytesView) }, [[0], [1], [2]], "each call reached the backend once")
        XCTAssertEqual(log.connections, 3, "a new connection for each exhausted one")
        XCTAssertEqual(pool.stats(cluster: "test")?.connectionsOpened, 3)
    }
}
