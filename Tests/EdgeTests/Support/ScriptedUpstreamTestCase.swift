import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeUpstream

/// The fixture of the tests that drive an ``UpstreamPool`` against ``ScriptedH2Backend``s
/// over real sockets: a client event loop group, and the backends and pools a test makes,
/// all shut down after the test so none outlives it.
class ScriptedUpstreamTestCase: XCTestCase {
    private(set) var clientGroup: MultiThreadedEventLoopGroup!
    private var backends: [ScriptedH2Backend] = []
    private var pools: [UpstreamPool] = []

    /// Retries quickly (5–20 ms back-off), up to three attempts.
    static let retrying = CallPolicy(
        retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20)),
        retriesAllowed: true
    )

    override func setUp() {
        super.setUp()
        self.clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    override func tearDown() {
        for pool in self.pools { pool.close() }
        for backend in self.backends { backend.shutdown() }
        try? self.clientGroup.syncShutdownGracefully()
        super.tearDown()
    }

    /// A backend answering with `script`, shut down after the test.
    func backend(maxConcurrentStreams: Int? = nil, _ script: @escaping ScriptedH2Backend.Script) throws -> ScriptedH2Backend {
        let backend = try ScriptedH2Backend(maxConcurrentStreams: maxConcurrentStreams, script: script)
        self.backends.append(backend)
        return backend
    }

    /// A pool of the one cluster `test` (serving the service `test`), closed after the test.
    func pool(cluster: UpstreamClusterConfig) throws -> UpstreamPool {
        let pool = try UpstreamPool(clusters: [cluster], services: ["test": "test"])
        self.pools.append(pool)
        return pool
    }

    /// A call of `/test.Svc/<method>` with `message`, due within `timeout`.
    func request(
        _ method: String, message: [UInt8], metadata: [(name: String, value: String)] = [], timeout: TimeAmount
    ) -> UpstreamRequest {
        UpstreamRequest(
            path: "/test.Svc/\(method)", service: "test.Svc", metadata: metadata, message: ByteBuffer(bytes: message),
            deadline: .now() + timeout)
    }
}
