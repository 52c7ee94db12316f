/// One in-flight cap as metrics read it: a route (`GET /v1/books/{id}`) or a cluster.
public struct InFlightStats: Sendable, Equatable {
    /// The route's label or the cluster's name.
    public var name: String
    /// Requests (unary calls and streams) holding a slot now.
    public var inFlight: Int
    /// The configured cap.
    public var maximum: Int
    /// Requests refused at the cap since the edge started (kept across reloads).
    public var refused: Int

    public init(name: String, inFlight: Int, maximum: Int, refused: Int) {
        self.name = name
        self.inFlight = inFlight
        self.maximum = maximum
        self.refused = refused
    }
}
