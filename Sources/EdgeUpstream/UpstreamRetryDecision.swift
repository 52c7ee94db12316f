import NIOCore
import EdgeCore

/// Whether and when a finished attempt is retried: pure, so every rule is unit-tested.
package struct UpstreamRetryDecision {
    package enum Outcome: Equatable {
        case retry(after: TimeAmount)
        case finish
    }

    /// How a failed attempt ended, as far as retry safety is concerned.
    package struct Attempt: Error {
        package var status: GRPCStatus
        /// The server certainly did not process the request (REFUSED_STREAM, stream above a
        /// GOAWAY's last-stream-id, connection never established): safe to retry for any method.
        package var notProcessed: Bool
    }

    /// - Parameters:
    ///   - attemptsMade: attempts already started, including the one that just ended.
    ///   - withdrawBudget: asked last, only when every other rule allows a retry.
    package static func decide(
        after attempt: Attempt,
        attemptsMade: Int,
        policy: CallPolicy,
        now: NIODeadline,
        deadline: NIODeadline,
        random: () -> Double = { Double.random(in: 0..<1) },
        withdrawBudget: () -> Bool
    ) -> Outcome {
        // A request that never reached the server gets one transparent retry even when the
        // policy allows none, as gRPC clients do.
        let maxAttempts = attempt.notProcessed ? max(policy.retry.maxAttempts, 2) : policy.retry.maxAttempts
        guard attemptsMade < maxAttempts else { return .finish }
        if !attempt.notProcessed {
            guard policy.retriesAllowed, policy.retry.retryableCodes.contains(attempt.status.code) else { return .finish }
        }
        // The first retry of a never-processed request goes out at once (on another
        // connection or endpoint); everything else backs off.
        let delay: TimeAmount =
            attempt.notProcessed && attemptsMade == 1
            ? .zero : RetryBackoff.delay(forRetry: attemptsMade, policy: policy.retry, random: random)
        // No attempt that could not finish before the deadline: one that would start at or
        // after it ends retries.
        guard now + delay < deadline else { return .finish }
        guard withdrawBudget() else { return .finish }
        return .retry(after: delay)
    }
}
