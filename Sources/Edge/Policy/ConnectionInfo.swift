import NIOCore

/// What the policies know of a connection, read once when its first request arrives.
public struct ConnectionInfo: Sendable {
    /// The socket's peer address (`nil` for a Unix socket or an embedded channel).
    public var remoteAddress: IPAddress?
    /// `https` on a TLS listener, else `http` (what `x-forwarded-proto` tells the backend).
    public var scheme: String
    /// The verified client certificate's identity on an mTLS connection.
    public var peerIdentity: PeerIdentity?
    /// The connection's event loop (policies keep per-loop state, e.g. verified tokens).
    public var eventLoop: (any EventLoop)?

    public init(remoteAddress: IPAddress? = nil, scheme: String = "http", peerIdentity: PeerIdentity? = nil) {
        self.remoteAddress = remoteAddress
        self.scheme = scheme
        self.peerIdentity = peerIdentity
    }

    public init(channel: any Channel, scheme: String = "http", peerIdentity: PeerIdentity? = nil) {
        self.init(remoteAddress: channel.remoteAddress.flatMap(IPAddress.init(socketAddress:)), scheme: scheme, peerIdentity: peerIdentity)
        self.eventLoop = channel.eventLoop
    }
}

/// A verified client certificate: what auth rules may require and what can be forwarded.
public struct PeerIdentity: Sendable, Equatable {
    /// The subject's distinguished name, RFC 4514 text.
    public var subject: String
    public var uriSANs: [String]
    public var dnsSANs: [String]

    public init(subject: String, uriSANs: [String] = [], dnsSANs: [String] = []) {
        self.subject = subject
        self.uriSANs = uriSANs
        self.dnsSANs = dnsSANs
    }
}
