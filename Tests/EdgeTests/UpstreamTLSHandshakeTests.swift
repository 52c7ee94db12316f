import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgeUpstream

/// Upstream TLS for real: a grpcio server (`Tests/interop/python_backend.py` with
/// `EDGE_TLS_CERT`/`EDGE_TLS_KEY`) serving TLS with a certificate from a private CA made by
/// `openssl` for this test. The pool with `tls: {ca_file, server_name}` completes the
/// handshake (ALPN h2) and the call succeeds; without the CA (system roots) the handshake
/// fails on the certificate, and plaintext h2c to the TLS port fails: the call is UNAVAILABLE.
final class UpstreamTLSHandshakeTests: XCTestCase {
    private var directory = ""
    private var backend: InteropProcess?
    private var port = 0

    override func setUpWithError() throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc"]) else {
            throw XCTSkip("python3 with grpcio is not available (scripts/install-deps.sh installs it)")
        }
        directory = NSTemporaryDirectory() + "edge-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A CA, and a server certificate it signs for backend.test and 127.0.0.1.
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=edge test CA",
                     "-keyout", "ca.key", "-out", "ca.pem"])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=backend.test", "-keyout", "server.key", "-out", "server.csr"])
        try Data("subjectAltName=DNS:backend.test,IP:127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: directory + "/san.ext"))
        try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                     "-extfile", "san.ext", "-out", "server.pem"])
        let process = try InteropProcess(launch: "/usr/bin/env", [
            "EDGE_TLS_CERT=\(directory)/server.pem", "EDGE_TLS_KEY=\(directory)/server.key", "python3", PythonEchoBackend.script,
        ])
        backend = process
        port = try XCTUnwrap(Int(try process.readLine(fromStderr: false, timeout: 20)), "the TLS backend did not print its port")
    }

    override func tearDown() {
        backend?.terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw InteropProcess.InteropError("openssl \(arguments.prefix(2)) failed") }
    }

    private func echo(_ cluster: UpstreamClusterConfig) throws -> UpstreamResponse {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pool = try UpstreamPool(clusters: [cluster], services: ["interop": cluster.name])
        defer { pool.close() }
        let request = UpstreamRequest(
            path: "/interop.Echo/Echo", service: "interop.Echo", metadata: [],
            message: ByteBuffer(bytes: Array("over TLS".utf8)), deadline: .now() + .seconds(10))
        return try pool.call(request, policy: CallPolicy(retry: RetryPolicy(maxAttempts: 1)), on: group.next()).wait()
    }

    func testHandshakeWithThePrivateCAAndServerName() throws {
        let response = try echo(UpstreamClusterConfig(
            name: "tls", endpoints: ["127.0.0.1:\(port)"], tls: true, tlsCAFile: directory + "/ca.pem", tlsServerName: "backend.test"))
        XCTAssertEqual(response.status, GRPCStatus(code: .ok), response.status.message)
        XCTAssertEqual(response.message.map { Array($0.readableBytesView) }, Array("over TLS".utf8))
    }

    func testUntrustedCertificateFailsTheHandshake() throws {
        // System roots only: the private CA is not among them.
        let response = try echo(UpstreamClusterConfig(name: "tls", endpoints: ["127.0.0.1:\(port)"], tls: true, tlsServerName: "backend.test"))
        XCTAssertEqual(response.status.code, .unavailable, response.status.message)
        print("untrusted certificate: \(response.status.message)")
    }

    func testPlaintextToTheTLSPortFails() throws {
        let response = try echo(UpstreamClusterConfig(name: "plain", endpoints: ["127.0.0.1:\(port)"]))
        XCTAssertEqual(response.status.code, .unavailable, response.status.message)
    }
}
