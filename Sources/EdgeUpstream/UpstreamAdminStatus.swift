import Foundation
import NIOCore

/// One cluster as `GET /admin/upstreams` shows it.
public struct UpstreamClusterStatus: Sendable {
    public var name: String
    public var circuitBreaker: CircuitBreakerStatus
    /// Whether active health checks are configured.
    public var healthChecks: Bool
    public var outlierDetection: Bool
    /// No endpoint is in the rotation, so calls go to all of them.
    public var panic: Bool
    public var endpoints: [UpstreamEndpointStatus]
    public var stats: UpstreamStats
}

public struct CircuitBreakerStatus: Sendable {
    public var enabled: Bool
    /// `closed`, `open` or `half_open` (an open breaker whose timeout has passed is
    /// half-open: the next call is a probe).
    public var state: String
    /// When the breaker entered `state`.
    public var since: Date
    public var consecutiveFailures: Int
    /// Calls that ended in the error-rate window while closed, and how many failed.
    public var windowRequests: Int
    public var windowFailures: Int
    public var timesOpened: Int
    /// Calls turned away while open.
    public var rejectedCalls: Int
    /// While open: how long until the next probe may go through.
    public var retryInSeconds: Double?
}

public struct UpstreamEndpointStatus: Sendable {
    public var address: String
    /// `unknown` (not checked, or health checks off), `healthy` or `unhealthy`.
    public var health: String
    /// Takes calls: not unhealthy and not ejected.
    public var inRotation: Bool
    public var lastCheck: Date?
    /// The reason the last failed health check failed.
    public var lastError: String?
    public var ejected: Bool
    public var ejectedForSeconds: Double?
    public var ejections: Int
    /// Failed attempts in a row (outlier detection's count).
    public var consecutiveFailures: Int
}

/// Monotonic times (what the state machines keep) as wall-clock times, for people.
package enum UpstreamAdminClock {
    package static func wallTime(of deadline: NIODeadline, now: NIODeadline) -> Date {
        let age = Double(Int64(now.uptimeNanoseconds) - Int64(deadline.uptimeNanoseconds)) / 1e9
        return Date(timeIntervalSinceNow: -age)
    }
}
