import NIOCore
import NIOSSL
import X509

/// Who the client is, by the certificate it presented and the handshake verified
/// against `listen.tls.client_ca_file` (mTLS): what auth rules match and what may be
/// forwarded to backends as metadata.
///
/// Read it per connection with ``TLSPeerIdentity/of(_:)`` once the handshake is done
/// (any time a request has arrived on the connection): `nil` on a plaintext listener,
/// and when the client presented no certificate (`client_certificates: optional`).
public struct TLSPeerIdentity: Sendable, Equatable, Hashable {
    /// The subject distinguished name, RFC 4514 style, most specific first: `CN=alice,O=Example`.
    public var subject: String
    /// URI subject alternative names (SPIFFE IDs among them): `spiffe://example.org/ns/a/sa/b`.
    public var uris: [String]
    /// DNS subject alternative names.
    public var dnsNames: [String]

    public init(subject: String, uris: [String] = [], dnsNames: [String] = []) {
        self.subject = subject
        self.uris = uris
        self.dnsNames = dnsNames
    }

    /// The identity in a DER certificate; `nil` when it does not parse.
    public init?(derCertificate: [UInt8]) {
        guard let certificate = try? Certificate(derEncoded: derCertificate) else { return nil }
        var uris: [String] = []
        var dnsNames: [String] = []
        if let alternatives = try? certificate.extensions.subjectAlternativeNames {
            for name in alternatives {
                switch name {
                case .uniformResourceIdentifier(let uri): uris.append(uri)
                case .dnsName(let dns): dnsNames.append(dns)
                default: break
                }
            }
        }
        self.init(subject: certificate.subject.description, uris: uris, dnsNames: dnsNames)
    }

    /// The identity the connection's client proved, recorded at the end of its TLS
    /// handshake by the ``TLSPeerIdentityHandler`` that ``ListenerTLS`` puts in every TLS
    /// connection's pipeline. Call it on the channel's event loop (e.g. from a handler
    /// reading a request): `nil` before the handshake completed, on a plaintext
    /// connection, and when the client sent no certificate. A look-up of the handler
    /// in the pipeline; read it once per connection or request, not per header.
    public static func of(_ channel: any Channel) -> TLSPeerIdentity? {
        channel.eventLoop.preconditionInEventLoop()
        return (try? channel.pipeline.syncOperations.handler(type: TLSPeerIdentityHandler.self))?.identity
    }
}
