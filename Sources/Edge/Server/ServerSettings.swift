import NIOCore

/// Where and how the public listener runs (`listen` in the configuration).
public struct ServerSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var limits: HTTPLimits

    public init(host: String = "0.0.0.0", port: Int = 8080, limits: HTTPLimits = .defaults) {
        self.host = host
        self.port = port
        self.limits = limits
    }
}
