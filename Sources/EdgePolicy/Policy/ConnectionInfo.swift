import NIOCore
import EdgeCore
import EdgeTLS

/// What the policies and observers know of a connection, read once when its first request
/// arrives and shared (a reference: every request of the connection holds the same one).
public final class ConnectionInfo: Sendable {
    /// The socket's peer address (`nil` for a Unix socket or an embedded channel).
    public let remoteAddress: IPAddress?
    /// The peer address as text (access logs, traces), formatted once per connection.
    public let remoteAddressText: String?
    /// `https` on a TLS listener, else `http` (what `x-forwarded-proto` tells the backend).
    public let scheme: String
    /// The verified client certificate's identity on an mTLS connection.
    public let peerIdentity: TLSPeerIdentity?
    /// The connection's event loop (policies keep per-loop state, e.g. verified tokens).
    public let eventLoop: (any EventLoop)?

    public init(remoteAddress: IPAddress? = nil, scheme: String = "http", peerIdentity: TLSPeerIdentity? = nil, eventLoop: (any EventLoop)? = nil) {
        self.remoteAddress = remoteAddress
        self.remoteAddressText = remoteAddress.map { "\($0)" }
        self.scheme = scheme
        self.peerIdentity = peerIdentity
        self.eventLoop = eventLoop
    }

    /// Reads the peer and, on a TLS listener, the verified client certificate (the
    /// handshake is done once a request has arrived).
    public convenience init(channel: any Channel, scheme: String = "http") {
        self.init(
            remoteAddress: channel.remoteAddress.flatMap(IPAddress.init(socketAddress:)), scheme: scheme,
            peerIdentity: scheme == "https" ? TLSPeerIdentity.of(channel) : nil, eventLoop: channel.eventLoop)
    }

    /// `address` as text: the connection's own text when it is the peer (no formatting per request).
    public func text(of address: IPAddress?) -> String? {
        guard let address else { return nil }
        if address == remoteAddress { return remoteAddressText }
        return "\(address)"
    }
}
