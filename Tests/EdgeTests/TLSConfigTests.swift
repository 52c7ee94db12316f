import Foundation
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeUpstream

/// `listen.tls` and `clusters[].tls` as `edge validate` reads them: keys, defaults and
/// every file checked (readable, PEM, key matching its certificate), with clear problems.
final class TLSConfigTests: XCTestCase {
    private var files: TLSTestFiles!

    override func setUpWithError() throws {
        files = try TLSTestFiles()
        // A file that is not PEM.
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: files.path("junk.pem")))
    }

    override func tearDown() { files?.remove() }

    /// A configuration in the certificates' folder; `listenTLS` under `listen`, `clusterTLS` on the cluster.
    private func parse(listenTLS: String? = nil, clusterTLS: String? = nil) -> Result<EdgeConfig, ConfigError> {
        var yaml = "listen:\n  port: 0\n"
        if let listenTLS { yaml += "  tls: \(listenTLS)\n" }
        yaml += """
            descriptors: {sources: ["\(EndToEndFixture.protosetPath)"]}
            clusters:
              - name: demo
                endpoints: ["127.0.0.1:50051"]
                services: [demo.bookstore.v1]

            """
        if let clusterTLS { yaml += "    tls: \(clusterTLS)\n" }
        return ConfigLoader.parse(yaml: yaml, file: "edge.yaml", baseDirectory: files.directory, checkFiles: true)
    }

    private func problems(listenTLS: String? = nil, clusterTLS: String? = nil) -> [String] {
        switch parse(listenTLS: listenTLS, clusterTLS: clusterTLS) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    func testContractKeys() throws {
        let config = try parse(listenTLS: """
            {certificates: [{cert_file: a.pem, key_file: a.key}, {cert_file: b.pem, key_file: b.key}], client_ca_file: ca.pem, client_certificates: required}
            """).get()
        let tls = try XCTUnwrap(config.listen.server.tls)
        XCTAssertEqual(tls.certificates, [
            .init(certFile: files.path("a.pem"), keyFile: files.path("a.key")),
            .init(certFile: files.path("b.pem"), keyFile: files.path("b.key")),
        ])
        XCTAssertEqual(tls.clientCAFile, files.path("ca.pem"))
        XCTAssertEqual(tls.clientCertificates, .required)
    }

    func testDefaults() throws {
        let plain = try parse().get()
        XCTAssertNil(plain.listen.server.tls, "plaintext unless listen.tls is set")
        let none = try XCTUnwrap(try parse(listenTLS: "{certificates: [{cert_file: a.pem, key_file: a.key}]}").get().listen.server.tls)
        XCTAssertEqual(none.clientCertificates, .none)
        let withCA = try XCTUnwrap(try parse(listenTLS: "{certificates: [{cert_file: a.pem, key_file: a.key}], client_ca_file: ca.pem}").get().listen.server.tls)
        XCTAssertEqual(withCA.clientCertificates, .optional, "a CA file alone asks for client certificates")
    }

    func testListenProblems() {
        let cases: [(String, String)] = [
            ("{}", "listen.tls.certificates: missing"),
            ("{certificates: []}", "name at least one certificate"),
            ("{certificates: [{cert_file: a.pem}]}", "listen.tls.certificates[0].key_file (line"),
            ("{certificates: [{cert_file: a.pem, key_file: a.key, password: x}]}", "unknown key 'password'"),
            ("{certificates: [{cert_file: a.pem, key_file: a.key}], client_certificates: maybe}", "expected one of: none, optional, required, got 'maybe'"),
            ("{certificates: [{cert_file: a.pem, key_file: a.key}], client_certificates: required}", "listen.tls.client_ca_file: missing"),
            ("{certificates: [{cert_file: nope.pem, key_file: a.key}]}", "certificate file '\(files.path("nope.pem"))' does not exist"),
            ("{certificates: [{cert_file: junk.pem, key_file: a.key}]}", "certificate file '\(files.path("junk.pem"))' is not a PEM certificate bundle"),
            ("{certificates: [{cert_file: a.pem, key_file: junk.pem}]}", "key file '\(files.path("junk.pem"))' holds no PEM private key"),
            ("{certificates: [{cert_file: a.pem, key_file: b.key}]}", "key file '\(files.path("b.key"))' does not match the certificate in '\(files.path("a.pem"))'"),
            ("{certificates: [{cert_file: a.pem, key_file: a.key}], client_ca_file: junk.pem}", "client CA file '\(files.path("junk.pem"))' is not a PEM certificate bundle"),
            ("{certificates: [{cert_file: a.pem, key_file: a.key}], tls_versions: [1.3]}", "unknown key 'tls_versions'"),
        ]
        for (tls, expected) in cases {
            let found = problems(listenTLS: tls)
            XCTAssertTrue(found.contains { $0.contains(expected) }, "\(tls): expected a problem with \(expected), got \(found)")
            XCTAssertFalse(found.joined().contains("PRIVATE KEY-----"), "key material in a problem")
        }
    }

    func testClusterTLSWithClientCertificate() throws {
        let config = try parse(clusterTLS: "{ca_file: ca.pem, cert_file: edge-client.pem, key_file: edge-client.key, server_name: backend.internal}").get()
        let tls = try XCTUnwrap(config.clusters[0].tls)
        XCTAssertEqual(tls, EdgeConfig.TLS(
            caFile: files.path("ca.pem"), certFile: files.path("edge-client.pem"), keyFile: files.path("edge-client.key"),
            serverName: "backend.internal"))
        XCTAssertEqual(try parse(clusterTLS: "true").get().clusters[0].tls, EdgeConfig.TLS())
        XCTAssertNil(try parse(clusterTLS: "{enabled: false, ca_file: ca.pem}").get().clusters[0].tls)
    }

    func testClusterTLSProblems() {
        let cases: [(String, String)] = [
            ("{cert_file: edge-client.pem}", "clusters[0].tls.key_file (line 8): missing: cert_file is set, its private key is not"),
            ("{key_file: edge-client.key}", "clusters[0].tls.cert_file (line 8): missing: key_file is set"),
            ("{cert_file: edge-client.pem, key_file: a.key}", "does not match the certificate"),
            ("{ca_file: junk.pem}", "CA file '\(files.path("junk.pem"))' is not a PEM certificate bundle"),
            ("{ca_file: missing.pem}", "CA file 'missing.pem' does not exist"),
            ("{client_cert: x}", "unknown key 'client_cert'"),
        ]
        for (tls, expected) in cases {
            let found = problems(clusterTLS: tls)
            XCTAssertTrue(found.contains { $0.contains(expected) }, "\(tls): expected a problem with \(expected), got \(found)")
        }
    }

    /// The pool a configuration describes carries the client certificate to the clusters' TLS.
    func testPoolConfigurationCarriesTheClientCertificate() throws {
        let config = try parse(clusterTLS: "{ca_file: ca.pem, cert_file: edge-client.pem, key_file: edge-client.key}").get()
        let pool = try UpstreamPool(config: config)
        defer { pool.close() }
        let cluster = try XCTUnwrap(pool.clusters["demo"]?.config)
        XCTAssertEqual(cluster.tlsCertFile, files.path("edge-client.pem"))
        XCTAssertEqual(cluster.tlsKeyFile, files.path("edge-client.key"))
    }
}
