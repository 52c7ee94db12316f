import NIOCore

/// Passive outlier detection: an endpoint whose real calls fail `consecutiveFailures`
/// times in a row (failures as in ``CircuitBreakerState/countsAsFailure(_:)``, connection
/// failures included) leaves the rotation for `baseEjectionTime` × the number of times it
/// was ejected (capped at ``maxEjectionMultiplier``). At most `maxEjectionPercent` of a
/// cluster's endpoints are ejected at once, but one may always be when the cluster has
/// two or more (and `maxEjectionPercent` is not 0); a single-endpoint cluster is never ejected (there is nowhere else to go).
public struct OutlierDetectionConfiguration: Sendable, Equatable {
    public var enabled: Bool
    public var consecutiveFailures: Int
    public var baseEjectionTime: TimeAmount
    public var maxEjectionPercent: Int

    /// Ejections after the tenth last no longer than the tenth.
    public static let maxEjectionMultiplier = 10

    public init(enabled: Bool = true, consecutiveFailures: Int = 5, baseEjectionTime: TimeAmount = .seconds(30), maxEjectionPercent: Int = 50) {
        self.enabled = enabled
        self.consecutiveFailures = max(1, consecutiveFailures)
        self.baseEjectionTime = baseEjectionTime
        self.maxEjectionPercent = min(100, max(0, maxEjectionPercent))
    }

    public static var defaults: OutlierDetectionConfiguration { .init() }
    public static var disabled: OutlierDetectionConfiguration { .init(enabled: false) }

    /// How many of `endpointCount` endpoints may be ejected at once.
    package func maxEjected(endpointCount: Int) -> Int {
        guard self.enabled, endpointCount > 1, self.maxEjectionPercent > 0 else { return 0 }
        return max(1, endpointCount * self.maxEjectionPercent / 100)
    }
}
