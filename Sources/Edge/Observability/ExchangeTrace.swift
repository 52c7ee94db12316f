import NIOCore

/// The trace of one exchange (placeholder; completed with the tracer).
public final class ExchangeTrace: UpstreamAttemptObserver, @unchecked Sendable {
    public init() {}
    public func attemptStarted(_ number: Int, cluster: String, endpoint: String) -> String? { nil }
    public func attemptEnded(_ number: Int, status: GRPCStatus, retrying: Bool) {}
}
