import NIOCore

/// Active health checks of every endpoint of a cluster with `grpc.health.v1.Health/Check`.
///
/// An endpoint leaves the rotation after `unhealthyThreshold` failed checks in a row and
/// comes back after `healthyThreshold` passed checks in a row. A check passes when the
/// answer is `SERVING`; NOT_SERVING, SERVICE_UNKNOWN, a gRPC error (NOT_FOUND for an
/// unknown `service`), a connection failure or no answer within `timeout` fail it.
public struct HealthCheckConfiguration: Sendable, Equatable {
    public var interval: TimeAmount
    public var timeout: TimeAmount
    /// `HealthCheckRequest.service`; empty asks about the server as a whole.
    public var service: String
    public var unhealthyThreshold: Int
    public var healthyThreshold: Int

    public init(
        interval: TimeAmount = .seconds(5), timeout: TimeAmount = .seconds(1), service: String = "",
        unhealthyThreshold: Int = 3, healthyThreshold: Int = 2
    ) {
        self.interval = interval
        self.timeout = timeout
        self.service = service
        self.unhealthyThreshold = max(1, unhealthyThreshold)
        self.healthyThreshold = max(1, healthyThreshold)
    }

    public static var defaults: HealthCheckConfiguration { .init() }
}
