import NIOCore
import NIOSSL
import NIOTLS

/// Sits right after the `NIOSSLServerHandler` of a TLS connection: when the handshake
/// completes, parses the verified client certificate once into a ``TLSPeerIdentity``
/// (see ``TLSPeerIdentity/of(_:)``) and remembers the negotiated ALPN protocol.
/// Passes everything through.
public final class TLSPeerIdentityHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    /// The client's identity, once the handshake completed with a client certificate.
    public private(set) var identity: TLSPeerIdentity?
    /// The ALPN protocol agreed on (`http/1.1`), or nil when the client offered none.
    public private(set) var negotiatedProtocol: String?
    public private(set) var handshakeCompleted = false

    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let negotiated) = event {
            handshakeCompleted = true
            negotiatedProtocol = negotiated
            // NIOSSL only hands over a peer certificate that passed verification
            // (client_certificates optional or required); with `none`, none is asked for.
            if let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate(),
                let der = try? certificate.toDERBytes()
            {
                identity = TLSPeerIdentity(derCertificate: der)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }
}
