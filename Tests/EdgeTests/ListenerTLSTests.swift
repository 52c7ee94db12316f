import Foundation
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeTLS

/// ``ListenerTLS`` without sockets: which context a new connection gets as files
/// change on disk and as reloads install new ones.
final class ListenerTLSTests: XCTestCase {
    private var files: TLSTestFiles!

    override func setUpWithError() throws { files = try TLSTestFiles() }
    override func tearDown() { files?.remove() }

    private var config: ListenTLSConfig {
        ListenTLSConfig(certificates: [.init(certFile: files.path("a.pem"), keyFile: files.path("a.key"))])
    }

    func testChangedFilesRebuildAndBrokenOnesKeepTheCurrentContext() throws {
        let tls = try ListenerTLS(config: config)
        let first = tls.current
        XCTAssertFalse(tls.reloadIfFilesChanged(), "nothing changed")
        XCTAssertTrue(tls.current === first)

        // Half way through a rotation: the new certificate, the old key.
        try files.replace("a.pem", with: "a2.pem")
        XCTAssertFalse(tls.reloadIfFilesChanged())
        XCTAssertTrue(tls.current === first, "files that do not build leave the context in force")
        XCTAssertFalse(tls.reloadIfFilesChanged(), "the same broken files are not retried")

        try files.replace("a.key", with: "a2.key")
        XCTAssertTrue(tls.reloadIfFilesChanged())
        XCTAssertFalse(tls.current === first)
        XCTAssertEqual(tls.current.serverNames, [["a.example.com", "localhost"]])
    }

    func testANewContextFromTheConfigurationInForceIsTaken() throws {
        let initial = try ListenerTLSContext.load(config)
        let box = LockedBox(initial)
        let tls = ListenerTLS(initial, follow: { box.value })
        XCTAssertTrue(tls.current === initial)
        let reloaded = try ListenerTLSContext.load(ListenTLSConfig(certificates: [.init(certFile: files.path("b.pem"), keyFile: files.path("b.key"))]))
        box.value = reloaded
        XCTAssertTrue(tls.current === reloaded)
        XCTAssertEqual(tls.current.serverNames, [["b.example.com", "*.wild.example.com"]])
    }

    func testLoadNeedsACertificateAndACAForClientCertificates() {
        XCTAssertThrowsError(try ListenerTLSContext.load(ListenTLSConfig(certificates: [])))
        var required = config
        required.clientCertificates = .required
        XCTAssertThrowsError(try ListenerTLSContext.load(required)) { error in
            XCTAssertTrue("\(error)".contains("needs client_ca_file"), "\(error)")
        }
    }
}

private final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
