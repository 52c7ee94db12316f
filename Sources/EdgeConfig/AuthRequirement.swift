/// Which credentials a route requires (`defaults.auth`, `routes.<r>.auth`): `none`,
/// `{any: [jwt:main, api_key]}` (one of them valid), `{all: [...]}` (each valid), and
/// `allow_missing: true` (no credential at all is fine; a bad one still is not).
public enum AuthRequirement: Sendable, Equatable {
    case none
    case any([String], allowMissing: Bool)
    case all([String], allowMissing: Bool)

    public var credentials: [String] {
        switch self {
        case .none: return []
        case .any(let names, _), .all(let names, _): return names
        }
    }
}

/// What a route requires of its caller, resolved from `defaults` and the route's entry.
public struct RouteAccess: Sendable, Equatable {
    public var auth: AuthRequirement = .none
    /// Scopes the verified token must carry (`scope`, space-separated, or `scp`, an array).
    public var scopes: [String] = []
    /// Claim values the verified token must carry: claim path → accepted values.
    public var claims: [String: [String]] = [:]
    /// `nil`: the global `cors`.
    public var cors: CORSConfig?
    /// The route's own IP rules, checked after the global ones.
    public var ip: IPRulesConfig = .init()
    /// Names of the `rate_limits` that apply (the route's own, else the defaults').
    public var rateLimits: [String] = []
    /// The cap on this route's requests in flight (`max_in_flight`); `nil`: none.
    public var maxInFlight: Int?
    /// The route the cap counts for (`GET /v1/books/{id}`), set with ``maxInFlight`` so that a
    /// capped route gets a policy chain of its own (the count is per route, not per chain).
    public var inFlightLabel: String?

    public init() {}
}
