import NIOCore

/// `cors:` (global) and `routes.<r>.cors:` (replaces the global one for that route).
public struct CORSConfig: Sendable, Equatable {
    /// Exact origins (`https://app.example.com`), one-label wildcards (`https://*.example.com`), or `*`.
    public var allowOrigins: [String]
    /// Upper-case methods; empty: the methods the path has.
    public var allowMethods: [String]
    /// Lower-case request headers a preflight may ask for; empty: those it asks for.
    public var allowHeaders: [String]
    public var exposeHeaders: [String]
    public var allowCredentials: Bool
    public var maxAge: TimeAmount?

    public init(
        allowOrigins: [String] = [], allowMethods: [String] = [], allowHeaders: [String] = [], exposeHeaders: [String] = [],
        allowCredentials: Bool = false, maxAge: TimeAmount? = nil
    ) {
        self.allowOrigins = allowOrigins
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
        self.exposeHeaders = exposeHeaders
        self.allowCredentials = allowCredentials
        self.maxAge = maxAge
    }
}
