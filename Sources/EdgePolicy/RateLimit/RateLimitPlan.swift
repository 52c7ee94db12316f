import EdgeConfig

/// The limits of one route, compiled once with the route table: which definitions apply, split by
/// where their counters live.
public struct RateLimitPlan: Sendable, Equatable {
    public var local: [RateLimitDefinition]
    public var global: [RateLimitDefinition]

    public init(_ definitions: [RateLimitDefinition]) {
        local = definitions.filter { $0.scope == .local }
        global = definitions.filter { $0.scope == .global }
    }

    public var isEmpty: Bool { local.isEmpty && global.isEmpty }

    /// The plan for a route: its own `rate_limits` if it names any (`[]` turns limits off), else the defaults'.
    public static func resolve(route: [String]?, defaults: [String]?, definitions: [RateLimitDefinition]) -> RateLimitPlan {
        let names = route ?? defaults ?? []
        let byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return RateLimitPlan(names.compactMap { byName[$0] })
    }
}
