/// Where the admin listener (``AdminServer``) binds: normally loopback only.
public struct AdminSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public init(host: String = "127.0.0.1", port: Int = 9901) {
        self.host = host
        self.port = port
    }
}
