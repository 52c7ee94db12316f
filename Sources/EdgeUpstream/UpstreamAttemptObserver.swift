import NIOCore
import EdgeCore

/// Sees each attempt of one upstream call, on the call's event loop: what traces need
/// (a client span per attempt, its id sent to the backend as the parent of the backend's
/// spans). Set on ``UpstreamRequest/attemptObserver`` or ``UpstreamStreamHead/attemptObserver``
/// for the calls that are traced; `nil` (the default) costs nothing.
public protocol UpstreamAttemptObserver: AnyObject, Sendable {
    /// Attempt `number` (1 for the first) starts on the endpoint `host`:`port` of `cluster`.
    /// Returns the `traceparent` to send with this attempt, if any.
    func attemptStarted(_ number: Int, cluster: String, host: String, port: Int) -> String?
    /// The attempt ended with `status`; `retrying` when another attempt follows.
    func attemptEnded(_ number: Int, status: GRPCStatus, retrying: Bool)
}

/// What the upstream side tells about a call that ended, for metrics and access logs.
public struct UpstreamCallSummary: Sendable, Equatable {
    /// The cluster that served (or refused) the call.
    public var cluster: String
    /// Attempts made (0: none started, e.g. the circuit breaker was open); retries are the rest.
    public var attempts: Int
    /// From the call's start to its end, backoffs included.
    public var duration: TimeAmount

    public init(cluster: String, attempts: Int, duration: TimeAmount) {
        self.cluster = cluster
        self.attempts = attempts
        self.duration = duration
    }

    public var retries: Int { max(0, attempts - 1) }
}
