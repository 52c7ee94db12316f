import Foundation
import NIOCore
import NIOEmbedded
import NIOPosix
import NIOSSL
import NIOTLS
import XCTest

@testable import Edge
@testable import EdgePolicy
@testable import EdgeTLS
@testable import EdgeUpstream

/// ``TLSPeerIdentity`` as the policy chain will read it: over real sockets, a listener
/// with the edge's ``ListenerTLS`` handlers and, after them, a handler that writes what
/// ``TLSPeerIdentity/of(_:)`` returns once the handshake is done, then closes.
final class TLSPeerIdentityTests: XCTestCase {
    private var files: TLSTestFiles!
    private var group: MultiThreadedEventLoopGroup!

    override func setUpWithError() throws {
        files = try TLSTestFiles()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    override func tearDownWithError() throws {
        try group?.syncShutdownGracefully()
        files?.remove()
    }

    /// Writes the connection's identity (`subject|uris|dns`, or `none`) after the handshake.
    private final class IdentityReporter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event {
                let text: String
                if let identity = TLSPeerIdentity.of(context.channel) {
                    text = [identity.subject, identity.uris.joined(separator: ","), identity.dnsNames.joined(separator: ",")].joined(separator: "|")
                } else {
                    text = "none"
                }
                context.writeAndFlush(NIOAny(ByteBuffer(string: text))).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
            }
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func listen(_ mode: ListenTLSConfig.ClientCertificates) throws -> (Channel, Int) {
        let config = ListenTLSConfig(
            certificates: [.init(certFile: files.path("a.pem"), keyFile: files.path("a.key"))],
            clientCAFile: files.path("ca.pem"), clientCertificates: mode)
        let tls = try ListenerTLS(config: config)
        let channel = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try tls.addHandlers(to: channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.addHandler(IdentityReporter())
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        return (channel, channel.localAddress!.port!)
    }

    private func client(_ port: Int, certificate: String? = nil) -> TLSTestClient {
        TLSTestClient(
            port: port, ca: files.path("ca.pem"), cert: certificate.map { files.path($0 + ".pem") },
            key: certificate.map { files.path($0 + ".key") })
    }

    func testOptionalClientCertificateIdentityIsPresentOnlyWithACertificate() throws {
        let (channel, port) = try listen(.optional)
        defer { try? channel.close().wait() }
        let with = try client(port, certificate: "client").connect(readToEnd: true)
        XCTAssertTrue(with.ok, "\(with)")
        XCTAssertEqual(with.body, "CN=alice,O=Example|spiffe://example.org/alice|alice.example.org")
        let without = try client(port).connect(readToEnd: true)
        XCTAssertTrue(without.ok, "\(without)")
        XCTAssertEqual(without.body, "none")
    }

    func testRequiredClientCertificate() throws {
        let (channel, port) = try listen(.required)
        defer { try? channel.close().wait() }
        XCTAssertEqual(try client(port, certificate: "client").connect(readToEnd: true).body, "CN=alice,O=Example|spiffe://example.org/alice|alice.example.org")
        let without = try client(port).connect(readToEnd: true)
        XCTAssertFalse(without.ok && without.body != "", "a client without a certificate got through: \(without)")
        XCTAssertNotEqual(without.body, "none")
    }

    func testNoClientCertificatesAskedForMeansNoIdentity() throws {
        let (channel, port) = try listen(.none)
        defer { try? channel.close().wait() }
        XCTAssertEqual(try client(port, certificate: "client").connect(readToEnd: true).body, "none")
    }

    func testIdentityFromDERCertificate() throws {
        let certificate = try XCTUnwrap(try NIOSSLCertificate.fromPEMFile(files.path("client.pem")).first)
        let identity = try XCTUnwrap(TLSPeerIdentity(derCertificate: try certificate.toDERBytes()))
        XCTAssertEqual(identity, TLSPeerIdentity(subject: "CN=alice,O=Example", uris: ["spiffe://example.org/alice"], dnsNames: ["alice.example.org"]))
        XCTAssertNil(TLSPeerIdentity(derCertificate: [0x30, 0x03, 0x02, 0x01, 0x01]))
    }

    func testPlaintextChannelHasNoIdentity() throws {
        let channel = EmbeddedChannel()
        XCTAssertNil(TLSPeerIdentity.of(channel))
        _ = try channel.finish()
    }
}
