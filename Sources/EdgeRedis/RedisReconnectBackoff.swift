import NIOCore

/// The wait before reconnect attempt `n`: `initial * 2^(n-1)`, at most `maximum`. Pure.
public struct RedisReconnectBackoff: Sendable, Equatable {
    public var initial: TimeAmount
    public var maximum: TimeAmount

    public init(initial: TimeAmount, maximum: TimeAmount) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// `failures`: consecutive failed connections so far (1 after the first).
    public func delay(afterFailures failures: Int) -> TimeAmount {
        guard failures > 0 else { return .zero }
        let shift = min(failures - 1, 30)
        let (scaled, overflow) = initial.nanoseconds.multipliedReportingOverflow(by: Int64(1) << shift)
        if overflow || scaled > maximum.nanoseconds { return maximum }
        return .nanoseconds(scaled)
    }
}
