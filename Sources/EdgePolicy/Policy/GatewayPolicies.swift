import EdgeConfig
import EdgeCore

/// The policy chains of one configuration, compiled once per gateway snapshot (with the
/// route table, so they reload with it): the credentials the edge can verify, the global
/// IP rules and CORS, and one ``PolicyChain`` per distinct route access.
///
/// Chain order is fixed: IP rules (global, then the route's), CORS (the route's, else the
/// global one), authentication and authorization, rate limits, and last the route's cap on
/// requests in flight (so only requests the others let through hold a slot). Requests that match no route run the
/// unmatched chain: the global IP rules and CORS, so a 404 can be read by an allowed
/// origin and a denied address learns nothing of the routes.
public final class GatewayPolicies: Sendable {
    public let metadataPolicy: MetadataPolicy
    public let addresses: ClientAddressResolver
    public let unmatched: PolicyChain
    /// Query parameters that carry credentials: the binder skips them on every route.
    public let reservedQueryParameters: [String]
    private let config: EdgeConfig
    private let checks: [String: any CredentialCheck]
    private let observers: [any ExchangeObserver]
    /// Decides the routes' `rate_limits`; `nil` when the configuration has none (or for `edge validate`).
    public let rateLimiter: RateLimiter?
    /// The routes' in-flight counters (`max_in_flight`), carried across reloads by the snapshot.
    public let overload: OverloadCounters

    /// - Parameters:
    ///   - jwtProviders: the providers of `config.auth.jwt` (they own I/O: the snapshot keeps them).
    ///   - overload: the in-flight counters (a fresh table unless a reload carries them over).
    package init(
        config: EdgeConfig, jwtProviders: [JWTProvider] = [], observers: [any ExchangeObserver] = [], rateLimiter: RateLimiter? = nil,
        overload: OverloadCounters = OverloadCounters()
    ) {
        self.config = config
        self.rateLimiter = rateLimiter
        self.overload = overload
        var checks: [String: any CredentialCheck] = ["mtls": ClientCertificateCheck()]
        var stripped: Set<String> = []
        var reserved: [String] = []
        for provider in jwtProviders {
            let check = JWTCheck(provider: provider)
            checks[check.name] = check
            // Claims' headers are the edge's to set; a token not forwarded stays here.
            stripped.formUnion(provider.config.claimsToHeaders.values.map { $0.lowercased() })
            for source in provider.config.tokenSources {
                switch source {
                case .bearer: if !provider.config.forward { stripped.insert("authorization") }
                case .header(let name): if !provider.config.forward { stripped.insert(name.lowercased()) }
                case .query(let name): reserved.append(name)
                case .cookie: break
                }
            }
        }
        if let apiKeys = config.auth.apiKeys {
            checks["api_key"] = APIKeyCheck(
                header: apiKeys.header, query: apiKeys.query, table: APIKeyTable(apiKeys.keys), consumerHeader: apiKeys.consumerHeader)
            stripped.insert(apiKeys.consumerHeader)
            if let header = apiKeys.header { stripped.insert(header) }
            if let query = apiKeys.query { reserved.append(query) }
        }
        // The edge continues the trace itself: the client's copies never reach the backend.
        if config.observability.tracing != nil { stripped.formUnion(["traceparent", "tracestate"]) }
        self.checks = checks
        self.observers = observers
        self.reservedQueryParameters = reserved
        self.metadataPolicy = MetadataPolicy(forwardedHeaders: config.metadata.forwardHeaders, stripped: stripped)
        self.addresses = ClientAddressResolver(trustedProxies: config.auth.ip.trustedProxies)
        var front: [any RequestPolicy] = []
        if config.auth.ip.hasRules { front.append(IPRulesPolicy(levels: [config.auth.ip])) }
        if let cors = config.cors { front.append(CORSPolicy(cors)) }
        self.unmatched = PolicyChain(policies: front, observers: observers, metadataPolicy: metadataPolicy, addresses: addresses)
    }

    /// The chain for a route with `access` (or for the OpenAPI document, `openapi`'s access);
    /// routes with equal access share one chain.
    package func chain(for access: RouteAccess, cache: inout [(RouteAccess, PolicyChain)]) -> PolicyChain {
        if let cached = cache.first(where: { $0.0 == access }) { return cached.1 }
        var policies: [any RequestPolicy] = []
        let levels = [config.auth.ip, access.ip].filter(\.hasRules)
        if !levels.isEmpty { policies.append(IPRulesPolicy(levels: levels)) }
        if let cors = access.cors ?? config.cors { policies.append(CORSPolicy(cors)) }
        if access.auth != .none || !access.scopes.isEmpty || !access.claims.isEmpty {
            var requireAll = false
            var allowMissing = false
            switch access.auth {
            case .none: break
            case .any(_, let missingOK): allowMissing = missingOK
            case .all(_, let missingOK):
                requireAll = true
                allowMissing = missingOK
            }
            // Names were checked against the configured credentials at load.
            let routeChecks = access.auth.credentials.compactMap { checks[$0] }
            policies.append(AuthPolicy(
                checks: routeChecks, requireAll: requireAll, allowMissing: allowMissing, scopes: access.scopes,
                claims: access.claims.sorted { $0.key < $1.key }.map { ($0.key, Set($0.value)) }))
        }
        if let rateLimiter {
            let plan = RateLimitPlan.resolve(route: access.rateLimits, defaults: nil, definitions: config.rateLimits)
            if !plan.isEmpty { policies.append(RateLimitPolicy(limiter: rateLimiter, plan: plan)) }
        }
        var chainObservers = observers
        if let maximum = access.maxInFlight, let label = access.inFlightLabel {
            let inFlight = InFlightPolicy(route: label, limit: overload.route(label, maximum: maximum))
            policies.append(inFlight)
            // After the others: they see the exchange before its slot is given back.
            chainObservers.append(inFlight)
        }
        let chain = PolicyChain(policies: policies, observers: chainObservers, metadataPolicy: metadataPolicy, addresses: addresses)
        cache.append((access, chain))
        return chain
    }
}

extension GatewayPolicies {
    /// The configuration's policies without credentials that own I/O.
    public convenience init(config: EdgeConfig, rateLimiter: RateLimiter? = nil, overload: OverloadCounters = OverloadCounters()) {
        self.init(config: config, jwtProviders: [], rateLimiter: rateLimiter, overload: overload)
    }
}
