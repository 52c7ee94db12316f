import NIOCore
import EdgeCore

public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first (1 = no retries).
    public var maxAttempts: Int
    public var initialBackoff: TimeAmount
    public var maxBackoff: TimeAmount
    public var backoffMultiplier: Double
    public var retryableCodes: Set<GRPCStatusCode>

    public init(
        maxAttempts: Int = 3,
        initialBackoff: TimeAmount = .milliseconds(25),
        maxBackoff: TimeAmount = .milliseconds(500),
        backoffMultiplier: Double = 2,
        retryableCodes: Set<GRPCStatusCode> = [.unavailable]
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoffMultiplier = backoffMultiplier
        self.retryableCodes = retryableCodes
    }
}
