import NIOCore
import EdgeTLS

/// Where and how the public listener runs (`listen` in the configuration).
public struct ServerSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var limits: HTTPLimits
    /// `listen.tls`; `nil`: plaintext HTTP/1.1 (behind a load balancer that terminates TLS).
    public var tls: ListenTLSConfig?
    /// `listen.max_connections`: connections open at once; at the cap new ones are closed at
    /// once (``ListenerConnectionLimit``). `nil`: no cap.
    public var maxConnections: Int?

    public init(
        host: String = "0.0.0.0", port: Int = 8080, limits: HTTPLimits = .defaults, tls: ListenTLSConfig? = nil, maxConnections: Int? = nil
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.tls = tls
        self.maxConnections = maxConnections
    }
}
