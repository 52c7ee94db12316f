import NIOCore
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgePolicy
@testable import EdgeUpstream

final class UpstreamRetryDecisionTests: XCTestCase {
    private let now = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    private let policy = CallPolicy(
        retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(250), backoffMultiplier: 2),
        retriesAllowed: true
    )

    private func decide(
        _ code: GRPCStatusCode,
        notProcessed: Bool = false,
        attemptsMade: Int = 1,
        policy: CallPolicy? = nil,
        deadlineIn: TimeAmount = .seconds(10),
        random: Double = 0.5,
        budget: Bool = true
    ) -> UpstreamRetryDecision.Outcome {
        UpstreamRetryDecision.decide(
            after: .init(status: GRPCStatus(code: code), notProcessed: notProcessed),
            attemptsMade: attemptsMade,
            policy: policy ?? self.policy,
            now: self.now,
            deadline: self.now + deadlineIn,
            random: { random },
            withdrawBudget: { budget }
        )
    }

    func testRetryableCodeBacksOffWithFullJitter() {
        XCTAssertEqual(decide(.unavailable, random: 0.5), .retry(after: .milliseconds(50)))
        XCTAssertEqual(decide(.unavailable, attemptsMade: 2, random: 0.5), .retry(after: .milliseconds(100)))
        XCTAssertEqual(decide(.unavailable, random: 0), .retry(after: .zero))
    }

    func testBackoffIsCappedByMaxBackoff() {
        var policy = self.policy
        policy.retry.maxAttempts = 10
        // 100 ms × 2^4 = 1.6 s, capped at 250 ms.
        XCTAssertEqual(decide(.unavailable, attemptsMade: 5, policy: policy, random: 0.5), .retry(after: .milliseconds(125)))
    }

    func testMaxAttempts() {
        XCTAssertEqual(decide(.unavailable, attemptsMade: 3), .finish)
    }

    func testNonRetryableCode() {
        XCTAssertEqual(decide(.internal), .finish)
        XCTAssertEqual(decide(.deadlineExceeded), .finish)
    }

    func testConfiguredRetryableCodes() {
        var policy = self.policy
        policy.retry.retryableCodes = [.resourceExhausted]
        XCTAssertEqual(decide(.unavailable, policy: policy), .finish)
        XCTAssertEqual(decide(.resourceExhausted, policy: policy), .retry(after: .milliseconds(50)))
    }

    func testNotIdempotentIsNotRetried() {
        var policy = self.policy
        policy.retriesAllowed = false
        XCTAssertEqual(decide(.unavailable, policy: policy), .finish)
    }

    func testNeverProcessedIsRetriedAtOnceEvenWhenNotIdempotent() {
        let policy = CallPolicy(retry: RetryPolicy(maxAttempts: 1), retriesAllowed: false)
        XCTAssertEqual(decide(.unavailable, notProcessed: true, policy: policy), .retry(after: .zero))
        // Only once beyond the policy's attempts.
        XCTAssertEqual(decide(.unavailable, notProcessed: true, attemptsMade: 2, policy: policy), .finish)
    }

    func testBackoffPastDeadlineEndsRetries() {
        XCTAssertEqual(decide(.unavailable, deadlineIn: .milliseconds(50), random: 0.5), .finish)
        XCTAssertEqual(decide(.unavailable, deadlineIn: .milliseconds(51), random: 0.5), .retry(after: .milliseconds(50)))
    }

    func testBudgetExhausted() {
        XCTAssertEqual(decide(.unavailable, budget: false), .finish)
        XCTAssertEqual(decide(.unavailable, notProcessed: true, budget: false), .finish)
    }

    func testBudgetIsOnlyAskedWhenEverythingElseAllows() {
        var asked = 0
        _ = UpstreamRetryDecision.decide(
            after: .init(status: GRPCStatus(code: .internal), notProcessed: false),
            attemptsMade: 1, policy: policy, now: now, deadline: now + .seconds(1),
            withdrawBudget: { asked += 1; return true }
        )
        XCTAssertEqual(asked, 0)
    }
}
