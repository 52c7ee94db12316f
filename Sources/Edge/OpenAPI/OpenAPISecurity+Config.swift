import EdgeConfig

extension OpenAPISecurity {
    /// What the configuration's policies put in the document: a security scheme per credential
    /// (`jwt:NAME` → `jwt_NAME`, `api_key`, `mtls`), each route's requirements (any of: one
    /// alternative each, plus `{}` with `allow_missing`; all of: one object), the refusals its
    /// policies can answer (401, 403, 429, 503) and, on rate-limited routes, the `RateLimit`
    /// header fields.
    public static func from(config: EdgeConfig, policies: RoutePolicies) -> OpenAPISecurity {
        var schemes: [(String, OpenAPIValue)] = []
        var schemeNames: [String: [String]] = [:]  // credential → the scheme names that carry it
        for provider in config.auth.jwt {
            var names: [String] = []
            for (index, source) in provider.tokenSources.enumerated() {
                let name = "jwt_" + provider.name + (index == 0 ? "" : "_\(index + 1)")
                let description: OpenAPIValue = .string("A JWT from \(provider.issuer)")
                switch source {
                case .bearer:
                    schemes.append((name, .object([
                        ("type", .string("http")), ("scheme", .string("bearer")), ("bearerFormat", .string("JWT")),
                        ("description", description),
                    ])))
                case .header(let header): schemes.append((name, apiKey(in: "header", name: header, description: description)))
                case .query(let query): schemes.append((name, apiKey(in: "query", name: query, description: description)))
                case .cookie(let cookie): schemes.append((name, apiKey(in: "cookie", name: cookie, description: description)))
                }
                names.append(name)
            }
            schemeNames["jwt:" + provider.name] = names
        }
        if let keys = config.auth.apiKeys {
            var names: [String] = []
            if let header = keys.header {
                schemes.append(("api_key", apiKey(in: "header", name: header, description: .string("An API key"))))
                names.append("api_key")
            }
            if let query = keys.query {
                schemes.append(("api_key_query", apiKey(in: "query", name: query, description: .string("An API key"))))
                names.append("api_key_query")
            }
            schemeNames["api_key"] = names
        }
        schemes.append(("mtls", .object([("type", .string("mutualTLS")), ("description", .string("A client certificate"))])))
        schemeNames["mtls"] = ["mtls"]
        let usesMTLS = (config.routes.map(\.options.auth) + [config.defaults.auth]).contains { $0?.credentials.contains("mtls") == true }
        if !usesMTLS { schemes.removeLast() }
        let known = schemeNames
        let limited = !config.rateLimits.isEmpty
        let headers = config.rateLimitOptions.headers

        return OpenAPISecurity(
            schemes: schemes,
            requirements: { method, httpMethod, pattern in
                let access = policies.settings(method: method, httpMethod: httpMethod, pattern: pattern).access
                let scopes: [OpenAPIValue] = access.scopes.map { .string($0) }
                func requirement(_ credentials: [String]) -> [OpenAPIValue] {
                    // One requirement object per way of sending each credential.
                    var objects: [[(String, OpenAPIValue)]] = [[]]
                    for credential in credentials {
                        let names = known[credential] ?? []
                        objects = objects.flatMap { object in names.map { object + [($0, .array(scopes))] } }
                    }
                    return objects.map { .object($0) }
                }
                switch access.auth {
                case .none: return nil
                case .any(let credentials, let allowMissing):
                    return credentials.flatMap { requirement([$0]) } + (allowMissing ? [.object([])] : [])
                case .all(let credentials, let allowMissing):
                    return requirement(credentials) + (allowMissing ? [.object([])] : [])
                }
            },
            refusals: { method, httpMethod, pattern in
                let access = policies.settings(method: method, httpMethod: httpMethod, pattern: pattern).access
                var refusals: [(status: Int, description: String)] = []
                if access.auth != .none || !access.scopes.isEmpty || !access.claims.isEmpty {
                    refusals.append((401, "Missing or invalid credentials (`WWW-Authenticate` says why)"))
                }
                if !access.scopes.isEmpty || !access.claims.isEmpty || access.ip.hasRules || config.auth.ip.hasRules {
                    refusals.append((403, "Not allowed: the credentials lack a scope or claim, or the client's address is refused"))
                }
                if limited, !access.rateLimits.isEmpty {
                    refusals.append((429, "A rate limit or quota is exhausted (`Retry-After`, `RateLimit`)"))
                }
                if access.maxInFlight != nil {
                    refusals.append((503, "The route has its maximum of requests in flight; try again later"))
                }
                return refusals
            },
            responseHeaders: { method, httpMethod, pattern in
                guard limited, headers else { return [] }
                let access = policies.settings(method: method, httpMethod: httpMethod, pattern: pattern).access
                guard !access.rateLimits.isEmpty else { return [] }
                return [
                    ("RateLimit-Policy", .object([
                        ("description", .string("The limits that apply (IETF RateLimit header fields, Structured Fields)")),
                        ("schema", .object([("type", .string("string"))])),
                    ])),
                    ("RateLimit", .object([
                        ("description", .string("What remains of each limit and when it resets")),
                        ("schema", .object([("type", .string("string"))])),
                    ])),
                ]
            })
    }

    private static func apiKey(in location: String, name: String, description: OpenAPIValue) -> OpenAPIValue {
        .object([("type", .string("apiKey")), ("in", .string(location)), ("name", .string(name)), ("description", description)])
    }
}
