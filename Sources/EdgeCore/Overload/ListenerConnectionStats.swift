/// A listener's connections as metrics read them.
public struct ListenerConnectionStats: Sendable, Equatable {
    /// Connections open now (TLS ones from their accept, before the handshake).
    public var open: Int
    /// `listen.max_connections`; `nil`: no cap.
    public var maximum: Int?
    /// Connections let in since the listener started.
    public var accepted: Int
    /// Connections closed at once because the cap was reached.
    public var refused: Int

    public init(open: Int, maximum: Int?, accepted: Int, refused: Int) {
        self.open = open
        self.maximum = maximum
        self.accepted = accepted
        self.refused = refused
    }
}
