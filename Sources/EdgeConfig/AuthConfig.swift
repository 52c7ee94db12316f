/// `auth:` — the credentials the edge can verify and the global IP rules. Which of them a
/// route requires is the route's ``AuthRequirement`` (`defaults.auth`, `routes.<r>.auth`).
public struct AuthConfig: Sendable, Equatable {
    /// `auth.jwt`: token issuers, by name (`jwt:<name>` in requirements).
    public var jwt: [JWTProviderConfig] = []
    public var apiKeys: APIKeysConfig?
    public var ip: IPRulesConfig

    public init(apiKeys: APIKeysConfig? = nil, ip: IPRulesConfig = .init()) {
        self.apiKeys = apiKeys
        self.ip = ip
    }

    /// The credential names a requirement may list: `jwt:<name>` per provider, `api_key`, `mtls`.
    public var credentialNames: Set<String> {
        var names: Set<String> = ["mtls"]
        if apiKeys != nil { names.insert("api_key") }
        for provider in jwt { names.insert("jwt:" + provider.name) }
        return names
    }
}
