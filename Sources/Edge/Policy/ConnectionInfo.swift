import NIOCore

/// What the policies know of a connection, read once when its first request arrives.
public struct ConnectionInfo: Sendable {
    /// The socket's peer address (`nil` for a Unix socket or an embedded channel).
    public var remoteAddress: IPAddress?
    /// `https` on a TLS listener, else `http` (what `x-forwarded-proto` tells the backend).
    public var scheme: String
    /// The verified client certificate's identity on an mTLS connection.
    public var peerIdentity: TLSPeerIdentity?
    /// The connection's event loop (policies keep per-loop state, e.g. verified tokens).
    public var eventLoop: (any EventLoop)?

    public init(remoteAddress: IPAddress? = nil, scheme: String = "http", peerIdentity: TLSPeerIdentity? = nil, eventLoop: (any EventLoop)? = nil) {
        self.remoteAddress = remoteAddress
        self.scheme = scheme
        self.peerIdentity = peerIdentity
        self.eventLoop = eventLoop
    }

    /// Reads the peer and, on a TLS listener, the verified client certificate (the
    /// handshake is done once a request has arrived).
    public init(channel: any Channel, scheme: String = "http") {
        self.init(
            remoteAddress: channel.remoteAddress.flatMap(IPAddress.init(socketAddress:)), scheme: scheme,
            peerIdentity: scheme == "https" ? TLSPeerIdentity.of(channel) : nil, eventLoop: channel.eventLoop)
    }
}
