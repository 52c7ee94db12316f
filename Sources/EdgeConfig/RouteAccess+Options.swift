extension RouteAccess {
    /// The access keys of a `routes` entry, of `defaults` or of `openapi` (`auth`, `scopes`,
    /// `claims`, `cors`, `ip`, `rate_limits`) over these; keys the entry leaves out keep their value.
    /// `max_in_flight` is the route table's (it needs the route's label).
    public mutating func apply(_ options: EdgeConfig.RouteOptions) {
        if let value = options.auth { auth = value }
        if let value = options.scopes { scopes = value }
        if let value = options.claims { claims = value }
        if let value = options.cors { cors = value }
        if let value = options.ip { ip = value }
        if let value = options.rateLimits { rateLimits = value }
    }

    /// Whether these are the defaults: no credential, scope, claim, CORS, IP rule or rate limit of its own.
    public var isUnrestricted: Bool { self == RouteAccess() }
}
