import EdgeDemo
import Foundation
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeTLS

/// TLS on the public listener over real sockets: the demo bookstore behind a
/// ``ReloadableGateway`` whose configuration has `listen.tls`, certificates made by
/// `tls_certs.py`, handshakes by Python's `ssl` (`tls_client.py`).
final class TLSListenerTests: XCTestCase {
    private var demo: RunningDemoServer!
    private var harness: ReloadHarness!
    private var files: TLSTestFiles!

    override func setUpWithError() throws {
        harness = try ReloadHarness()
        files = try TLSTestFiles(directory: harness.path("tls"))
        demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
    }

    override func tearDownWithError() throws {
        harness?.shutdown()
        let demo = self.demo
        _ = try? EndToEndFixture.blocking { await demo?.shutdown(gracePeriod: .seconds(1)) }
    }

    /// The demo gateway with `tls` (paths relative to the configuration file) under `listen`.
    private func config(tls: String, reload: String = "") -> String {
        let yaml = EndToEndFixture.gatewayYAML(ports: [demo.port], extra: reload)
        return yaml.replacingOccurrences(of: "  port: 0\n", with: "  port: 0\n  tls: \(tls)\n", options: [], range: yaml.range(of: "  port: 0\n"))
    }

    private static let twoCertificates =
        "{certificates: [{cert_file: tls/a.pem, key_file: tls/a.key}, {cert_file: tls/b.pem, key_file: tls/b.key}]}"

    private func client(sni: String? = nil, version: String? = nil, alpn: String? = nil, clientCertificate: String? = nil) -> TLSTestClient {
        TLSTestClient(
            port: harness.port, ca: files.path("ca.pem"), sni: sni, version: version, alpn: alpn,
            cert: clientCertificate.map { files.path($0 + ".pem") }, key: clientCertificate.map { files.path($0 + ".key") })
    }

    func testSNIPicksTheCertificateAndTheFirstIsTheDefault() throws {
        try harness.write("edge.yaml", config(tls: Self.twoCertificates))
        try harness.start()
        let a = try client(sni: "a.example.com").connect()
        XCTAssertTrue(a.ok, "\(a)")
        XCTAssertEqual(a.subject, "CN=a.example.com,O=original")
        let b = try client(sni: "b.example.com").connect()
        XCTAssertTrue(b.ok, "\(b)")
        XCTAssertEqual(b.subject, "CN=b.example.com")
        let wildcard = try client(sni: "api.wild.example.com").connect()
        XCTAssertEqual(wildcard.subject, "CN=b.example.com", "\(wildcard)")
        let unknown = try client(sni: "unknown.example.org").connect()
        XCTAssertEqual(unknown.subject, "CN=a.example.com,O=original", "\(unknown)")
        let none = try client().connect()
        XCTAssertEqual(none.subject, "CN=a.example.com,O=original", "\(none)")
    }

    func testALPNHTTP11WithTLS13AndTLS12() throws {
        try harness.write("edge.yaml", config(tls: Self.twoCertificates))
        try harness.start()
        for version in ["1.3", "1.2"] {
            let result = try client(sni: "b.example.com", version: version, alpn: "h2,http/1.1").connect(request: "GET /v1/shelves")
            XCTAssertTrue(result.ok, "\(result)")
            XCTAssertEqual(result.version, "TLSv" + version)
            XCTAssertEqual(result.alpn, "http/1.1", "h2 is not served on the public listener")
            XCTAssertEqual(result.subject, "CN=b.example.com")
            XCTAssertEqual(result.status, 200, "\(result)")
        }
    }

    func testHTTPRequestOverTLSIsAnsweredByTheBackend() throws {
        try harness.write("edge.yaml", config(tls: Self.twoCertificates))
        try harness.start()
        let result = try client(sni: "a.example.com").connect(request: "GET /v1/shelves")
        XCTAssertTrue(result.ok, "\(result)")
        XCTAssertEqual(result.status, 200, "\(result)")
        XCTAssertTrue(result.body.contains("\"shelves\""), result.body)
        XCTAssertEqual(result.headers["x-request-id"]?.isEmpty, false)
        // Plain HTTP on the TLS port is not served.
        let plain = try? EndToEndClient.send(port: harness.port, "GET", "/v1/shelves", readTimeoutSeconds: 5)
        XCTAssertNotEqual(plain?.status, 200)
    }

    /// A client that sends its request and then half-closes with a bare FIN (no
    /// `close_notify`, as many do) still gets its answer, as on a plaintext connection.
    func testRequestBeforeARaggedHalfCloseIsAnswered() throws {
        try harness.write("edge.yaml", config(tls: Self.twoCertificates))
        try harness.start()
        let result = try client().connect(request: "GET /v1/debug/sleep?duration=0.2s", halfClose: true)
        XCTAssertTrue(result.ok, "\(result)")
        XCTAssertEqual(result.status, 200, "\(result)")
    }

    func testRotatedCertificateIsServedWithoutRestartOrReload() throws {
        try harness.write("edge.yaml", config(tls: Self.twoCertificates, reload: "reload: {poll_interval: 100ms}"))
        try harness.start()
        XCTAssertEqual(try client(sni: "a.example.com").connect().organization, "original")
        try files.replace("a.key", with: "a2.key")
        try files.replace("a.pem", with: "a2.pem")
        XCTAssertTrue(
            waitUntil(seconds: 15) { (try? self.client(sni: "a.example.com").connect().organization) == "rotated" },
            "the rotated certificate was not served")
        XCTAssertEqual(harness.gateway.store.current.generation, 1, "rotated by the file watcher, not a reload")
        let request = try client(sni: "a.example.com").connect(request: "GET /v1/shelves")
        XCTAssertEqual(request.status, 200, "\(request)")
        XCTAssertEqual(request.organization, "rotated")
        XCTAssertEqual(try client(sni: "b.example.com").connect().subject, "CN=b.example.com")
    }

    func testReloadAppliesNewCertificatesAndRefusesBrokenOnes() throws {
        try harness.write("edge.yaml", config(tls: Self.twoCertificates))
        try harness.start()
        XCTAssertEqual(try client().connect().subject, "CN=a.example.com,O=original")

        try harness.write("edge.yaml", config(tls: "{certificates: [{cert_file: tls/b.pem, key_file: tls/b.key}]}"))
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertEqual(try client().connect().subject, "CN=b.example.com", "the reloaded default certificate")

        try harness.write("edge.yaml", config(tls: "{certificates: [{cert_file: tls/a.pem, key_file: tls/b.key}]}"))
        guard case .refused(let problems) = harness.reload() else { return XCTFail("a key that is not the certificate's was accepted") }
        XCTAssertTrue(problems.contains { $0.contains("does not match the certificate") }, "\(problems)")
        try harness.write("edge.yaml", config(tls: "{certificates: [{cert_file: tls/missing.pem, key_file: tls/a.key}]}"))
        guard case .refused(let missing) = harness.reload() else { return XCTFail("a missing certificate file was accepted") }
        XCTAssertTrue(missing.contains { $0.contains("missing.pem' does not exist") }, "\(missing)")
        let after = try client().connect(request: "GET /v1/shelves")
        XCTAssertEqual(after.subject, "CN=b.example.com", "the refused reloads left TLS as it was")
        XCTAssertEqual(after.status, 200)
    }

    func testClientCertificatesRequired() throws {
        try harness.write("edge.yaml", config(tls: "{certificates: [{cert_file: tls/a.pem, key_file: tls/a.key}], client_ca_file: tls/ca.pem, client_certificates: required}"))
        try harness.start()
        let trusted = try client(clientCertificate: "client").connect(request: "GET /v1/shelves")
        XCTAssertTrue(trusted.ok, "\(trusted)")
        XCTAssertEqual(trusted.status, 200)
        for version in ["1.2", "1.3"] {
            let anonymous = try client(version: version).connect(request: "GET /v1/shelves")
            XCTAssertFalse(anonymous.ok, "TLS \(version) without a client certificate: \(anonymous)")
            XCTAssertNil(anonymous.status)
        }
        let untrusted = try client(clientCertificate: "other-client").connect(request: "GET /v1/shelves")
        XCTAssertFalse(untrusted.ok, "a certificate from another CA: \(untrusted)")
        XCTAssertNil(untrusted.status)
    }

    func testClientCertificatesOptional() throws {
        try harness.write("edge.yaml", config(tls: "{certificates: [{cert_file: tls/a.pem, key_file: tls/a.key}], client_ca_file: tls/ca.pem, client_certificates: optional}"))
        try harness.start()
        XCTAssertEqual(try client().connect(request: "GET /v1/shelves").status, 200, "no certificate is fine")
        XCTAssertEqual(try client(clientCertificate: "client").connect(request: "GET /v1/shelves").status, 200)
        let untrusted = try client(clientCertificate: "other-client").connect(request: "GET /v1/shelves")
        XCTAssertFalse(untrusted.ok, "a certificate that does not verify is refused: \(untrusted)")
    }

    /// `x-forwarded-proto` says what the listener serves: `https` here, `http` on a
    /// plaintext listener (MetadataServerTests).
    func testForwardedProtoIsHTTPSOnTheTLSListener() throws {
        let tls = try ListenerTLS(config: ListenTLSConfig(certificates: [.init(certFile: files.path("a.pem"), keyFile: files.path("a.key"))]))
        let upstream = FakeUpstream()
        let group = harness.group
        let server = EdgeServer(
            settings: ServerSettings(host: "127.0.0.1", port: 0), context: RequestContext(transcoder: FakeTranscoder(), upstream: upstream),
            group: group, tls: tls)
        let port = try EndToEndFixture.blocking { try await server.start().port! }
        defer { _ = try? EndToEndFixture.blocking { await server.shutdown() } }
        let result = try TLSTestClient(port: port, ca: files.path("ca.pem")).connect(request: "POST /v1/echo", data: "{}")
        XCTAssertEqual(result.status, 200, "\(result)")
        let metadata = try XCTUnwrap(upstream.requests.last?.metadata)
        XCTAssertEqual(metadata.first { $0.name == "x-forwarded-proto" }?.value, "https")
    }
}
