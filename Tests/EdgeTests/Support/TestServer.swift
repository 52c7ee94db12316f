import Edge
import NIOCore
import NIOPosix
import XCTest
import EdgeConfig
import EdgeCore
import EdgePolicy

/// A running ``EdgeServer`` on 127.0.0.1 with an ephemeral port, the fake transcoder and upstream.
final class TestServer {
    let group: MultiThreadedEventLoopGroup
    let server: EdgeServer<FakeTranscoder>
    let upstream = FakeUpstream()
    let metrics = EdgeMetrics()
    let port: Int

    init(limits: HTTPLimits = HTTPLimits(), metadata: MetadataPolicy = MetadataPolicy(), detailsRenderer: StatusDetailsRenderer? = nil) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let context = RequestContext(
            transcoder: FakeTranscoder(), upstream: upstream, limits: limits, metadataPolicy: metadata,
            metrics: metrics, detailsRenderer: detailsRenderer)
        server = EdgeServer(settings: ServerSettings(host: "127.0.0.1", port: 0, limits: limits), context: context, group: group)
        port = try await server.start().port!
    }

    func stop() async throws {
        await server.shutdown()
        try await group.shutdownGracefully()
    }
}
