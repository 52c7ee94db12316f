import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeUpstream

/// `Tests/interop/python_backend.py` (grpcio, service `interop.Echo`) as a child
/// process, with an ``UpstreamPool`` pointed at it and one event loop to call from:
/// what the grpcio interop suites of the upstream client share.
final class PythonEchoBackend {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/python_backend.py").path

    let server: InteropProcess
    let group: MultiThreadedEventLoopGroup
    let pool: UpstreamPool

    /// Starts the backend; `XCTSkip` when python3 with grpcio is missing.
    init() throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc"]) else {
            throw XCTSkip("python3 with grpcio is not available (pip install grpcio); skipping the grpcio interop tests")
        }
        let server = try InteropProcess(launch: "/usr/bin/env", ["python3", Self.script])
        self.server = server
        let port = try XCTUnwrap(Int(try server.readLine(fromStderr: false, timeout: 20)), "python backend did not print its port")
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.pool = try UpstreamPool(
            clusters: [UpstreamClusterConfig(name: "py", endpoints: ["127.0.0.1:\(port)"])],
            services: ["interop": "py"]
        )
    }

    func stop() {
        self.pool.close()
        try? self.group.syncShutdownGracefully()
        self.server.terminate()
    }
}
