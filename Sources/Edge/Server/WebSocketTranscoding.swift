/// How a gRPC method streams, as far as an HTTP front end cares.
public enum MethodStreaming: Sendable, Equatable {
    case unary
    case serverStreaming
    case clientStreaming
    case bidirectional

    public init(clientStreaming: Bool, serverStreaming: Bool) {
        switch (clientStreaming, serverStreaming) {
        case (false, false): self = .unary
        case (false, true): self = .serverStreaming
        case (true, false): self = .clientStreaming
        case (true, true): self = .bidirectional
        }
    }

    /// The client sends any number of request messages.
    public var streamsRequests: Bool { self == .clientStreaming || self == .bidirectional }
}

/// A ``RequestTranscoding`` that can serve streaming methods over WebSocket.
///
/// The per-message codec is the request seam itself, applied to one message at
/// a time: ``RequestTranscoding/prepare(_:body:)`` turns one text frame's JSON
/// (plus the upgrade request's path and query bindings) into one request
/// message, ``RequestTranscoding/render(_:for:)`` one response message into the
/// JSON of one text frame. This protocol adds only what the upgrade needs to
/// decide: whether the matched method streams at all.
public protocol WebSocketTranscoding: RequestTranscoding {
    func streaming(of route: MatchedRoute<Route>) -> MethodStreaming
}
