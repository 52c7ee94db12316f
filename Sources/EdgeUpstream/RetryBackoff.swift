import NIOCore
import EdgeConfig

/// Exponential backoff with full jitter, as in gRPC's retry design (A6):
/// the n-th retry waits a uniformly random time in
/// `[0, min(initialBackoff × multiplier^(n-1), maxBackoff)]`.
package enum RetryBackoff {
    /// - Parameters:
    ///   - retry: 1 for the first retry.
    ///   - random: returns a value in `[0, 1)`; injectable for tests.
    package static func delay(forRetry retry: Int, policy: RetryPolicy, random: () -> Double = { Double.random(in: 0..<1) }) -> TimeAmount {
        let base = Double(policy.initialBackoff.nanoseconds) * pow(policy.backoffMultiplier, Double(max(retry - 1, 0)))
        let capped = min(base, Double(policy.maxBackoff.nanoseconds))
        guard capped.isFinite, capped > 0 else { return .zero }
        return .nanoseconds(Int64(capped * random()))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
