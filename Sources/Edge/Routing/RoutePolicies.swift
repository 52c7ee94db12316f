import NIOCore
import Transcoder
import EdgeConfig

/// Resolves the ``RouteSettings`` of each route from the configuration, once,
/// when the route table is built: built-in defaults ← `defaults` ← the
/// `routes` entry keyed by the gRPC method ← the entry keyed by the HTTP rule.
public struct RoutePolicies: Sendable {
    public let defaults: RouteSettings
    private let byMethod: [String: EdgeConfig.RouteOptions]
    private let byHTTP: [String: EdgeConfig.RouteOptions]

    public init(config: EdgeConfig) {
        var base = RouteSettings(maxBodyBytes: config.listen.server.limits.maxBodyBytes)
        Self.apply(config.defaults, to: &base)
        // `defaults.retries.budget` is each cluster's budget (UpstreamPool); only a
        // `routes` entry gives a route a budget of its own.
        base.retryBudget = nil
        self.defaults = base
        var byMethod: [String: EdgeConfig.RouteOptions] = [:]
        var byHTTP: [String: EdgeConfig.RouteOptions] = [:]
        for route in config.routes {
            switch route.key {
            case .method(let name): byMethod[name] = route.options
            case .http(let method, let pattern): byHTTP[method + " " + pattern] = route.options
            }
        }
        self.byMethod = byMethod
        self.byHTTP = byHTTP
    }

    /// - Parameters:
    ///   - method: `pkg.Service.Method`
    ///   - httpMethod: upper-case verb of the rule; `pattern`: its template text.
    public func settings(method: String, httpMethod: String, pattern: String) -> RouteSettings {
        var settings = defaults
        if let options = byMethod[method] { Self.apply(options, to: &settings) }
        if let options = byHTTP[httpMethod + " " + pattern] { Self.apply(options, to: &settings) }
        if settings.access.maxInFlight != nil { settings.access.inFlightLabel = httpMethod + " " + pattern }
        return settings
    }

    package static func apply(_ options: EdgeConfig.RouteOptions, to settings: inout RouteSettings) {
        if let value = options.timeout { settings.timeout = value }
        if let value = options.maxTimeout { settings.maxTimeout = value }
        if let value = options.maxBodyBytes { settings.maxBodyBytes = value }
        if let value = options.allowRetries { settings.allowRetries = value }
        if let value = options.streamFormat { settings.streamFormat = value }
        settings.access.apply(options)
        if let value = options.traceSampling { settings.traceSampling = value }
        // `max_in_flight: unlimited` (0) lifts the defaults' cap.
        if let value = options.maxInFlight { settings.access.maxInFlight = value > 0 ? value : nil }
        let retries = options.retries
        if let value = retries.maxAttempts { settings.retry.maxAttempts = value }
        if let value = retries.initialBackoff { settings.retry.initialBackoff = value }
        if let value = retries.maxBackoff { settings.retry.maxBackoff = value }
        if let value = retries.multiplier { settings.retry.backoffMultiplier = value }
        if let value = retries.retryableCodes { settings.retry.retryableCodes = value }
        if let value = retries.budget { settings.retryBudget = value }
        let json = options.json
        if let value = json.emitUnpopulated { settings.printOptions.emitUnpopulated = value }
        if let value = json.useProtoNames { settings.printOptions.useProtoNames = value }
        if let value = json.enumsAsInts { settings.printOptions.enumsAsInts = value }
        if let value = json.ignoreUnknownFields { settings.parseOptions.ignoreUnknownFields = value }
        if let value = json.ignoreUnknownQueryParameters { settings.ignoreUnknownQueryParameters = value }
    }
}
