import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeUpstream

/// mTLS upstream: the edge's ``UpstreamPool``, configured by `clusters[].tls` with a
/// client certificate, against a grpcio server (`python_backend.py` with
/// `ssl_server_credentials(require_client_auth=True)`) that answers `Peer` with the
/// client certificate's common name.
final class TLSUpstreamTests: XCTestCase {
    private var files: TLSTestFiles!
    private var backend: InteropProcess!
    private var port = 0
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func setUpWithError() throws {
        files = try TLSTestFiles()
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc"]) else {
            throw XCTSkip("python3 with grpcio is not available (pip install grpcio); skipping the mTLS upstream tests")
        }
        backend = try InteropProcess(launch: "/usr/bin/env", [
            "PY_BACKEND_TLS_CERT=" + files.path("backend.pem"), "PY_BACKEND_TLS_KEY=" + files.path("backend.key"),
            "PY_BACKEND_TLS_CLIENT_CA=" + files.path("ca.pem"), "python3", PythonEchoBackend.script,
        ])
        port = try XCTUnwrap(Int(try backend.readLine(fromStderr: false, timeout: 20)), "the backend did not print its port")
    }

    override func tearDownWithError() throws {
        backend?.terminate()
        try group.syncShutdownGracefully()
        files?.remove()
    }

    /// The pool `edge serve` builds for one cluster with this `tls`.
    private func pool(tls: String) throws -> UpstreamPool {
        let yaml = """
            descriptors: {sources: ["\(EndToEndFixture.protosetPath)"]}
            clusters:
              - name: py
                endpoints: ["127.0.0.1:\(port)"]
                services: [interop]
                tls: \(tls)

            """
        let config = try ConfigLoader.parse(yaml: yaml, baseDirectory: files.directory, checkFiles: true).get()
        return try UpstreamPool(config: config)
    }

    /// The `Peer` answer (the client certificate's CN), or the call's failure.
    private func peer(_ pool: UpstreamPool) -> Result<String, any Error> {
        let request = UpstreamRequest(
            path: "/interop.Echo/Peer", service: "interop.Echo", metadata: [], message: ByteBuffer(), deadline: .now() + .seconds(10))
        do {
            let response = try pool.call(request, policy: CallPolicy(), on: group.next()).wait()
            guard response.status.code == .ok else { return .failure(InteropProcess.InteropError("status \(response.status)")) }
            return .success(String(buffer: response.message ?? ByteBuffer()))
        } catch {
            return .failure(error)
        }
    }

    func testClientCertificateIsPresentedToTheBackend() throws {
        let pool = try pool(tls: "{ca_file: ca.pem, cert_file: edge-client.pem, key_file: edge-client.key}")
        defer { pool.close() }
        XCTAssertEqual(try peer(pool).get(), "edge")
    }

    func testWithoutClientCertificateTheBackendRefuses() throws {
        let pool = try pool(tls: "{ca_file: ca.pem}")
        defer { pool.close() }
        guard case .failure = peer(pool) else { return XCTFail("the backend answered a client without a certificate") }
    }

    func testBackendCertificateIsVerified() throws {
        let pool = try pool(tls: "{ca_file: other-ca.pem, cert_file: edge-client.pem, key_file: edge-client.key}")
        defer { pool.close() }
        guard case .failure = peer(pool) else { return XCTFail("a backend certificate from an untrusted CA was accepted") }
    }

    /// A reload after the client certificate's files were replaced builds a new pool that
    /// presents the new certificate; a reload with the files unchanged keeps the pool.
    func testRotatedClientCertificateIsPresentedAfterAReload() throws {
        let harness = try ReloadHarness()
        defer { harness.shutdown() }
        let yaml = EndToEndFixture.gatewayYAML(
            ports: [port], clusterName: "py",
            clusterKeys: "    tls: {ca_file: \"\(files.path("ca.pem"))\", cert_file: \"\(files.path("edge-client.pem"))\", key_file: \"\(files.path("edge-client.key"))\"}")
        try harness.write("edge.yaml", yaml)
        try harness.start()
        // The cluster serves the demo's services: route Peer by one of them.
        func peer() -> Result<String, any Error> {
            let request = UpstreamRequest(
                path: "/interop.Echo/Peer", service: "demo.bookstore.v1.Bookstore", metadata: [], message: ByteBuffer(),
                deadline: .now() + .seconds(10))
            do {
                let response = try harness.gateway.store.current.upstream.call(request, policy: CallPolicy(), on: group.next()).wait()
                guard response.status.code == .ok else { return .failure(InteropProcess.InteropError("status \(response.status)")) }
                return .success(String(buffer: response.message ?? ByteBuffer()))
            } catch {
                return .failure(error)
            }
        }
        XCTAssertEqual(try peer().get(), "edge")
        let first = harness.gateway.store.current.upstream
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertTrue(harness.gateway.store.current.upstream === first, "unchanged files keep the pool")

        try files.replace("edge-client.key", with: "edge-client2.key")
        try files.replace("edge-client.pem", with: "edge-client2.pem")
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertFalse(harness.gateway.store.current.upstream === first, "rotated files build a new pool")
        XCTAssertEqual(try peer().get(), "edge-rotated")
    }
}
