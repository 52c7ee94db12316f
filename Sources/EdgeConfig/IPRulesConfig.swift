import EdgeCore

/// `auth.ip:` (global) and `routes.<r>.ip:` — client addresses allowed and denied.
/// A denied address is refused even when it is also allowed; with a non-empty `allow`,
/// only the addresses in it pass. `trusted_proxies` (global only) says whose
/// `X-Forwarded-For` is believed (see ``ClientAddressResolver``).
public struct IPRulesConfig: Sendable, Equatable {
    public var allow: [IPRange]
    public var deny: [IPRange]
    public var trustedProxies: [IPRange]

    public init(allow: [IPRange] = [], deny: [IPRange] = [], trustedProxies: [IPRange] = []) {
        self.allow = allow
        self.deny = deny
        self.trustedProxies = trustedProxies
    }

    public var hasRules: Bool { !allow.isEmpty || !deny.isEmpty }
}
