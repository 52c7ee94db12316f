import NIOCore
import XCTest

@testable import Edge
@testable import EdgeUpstream

final class UpstreamRetryBudgetTests: XCTestCase {
    private func at(_ seconds: Double) -> NIODeadline {
        .uptimeNanoseconds(UInt64(1_000_000_000_000 + seconds * 1e9))
    }

    func testMinimumAllowsRetriesWithoutTraffic() {
        var budget = RetryBudgetState(configuration: .init(ratio: 0.2, minRetriesPerSecond: 1, windowSeconds: 3))
        XCTAssertTrue(budget.tryWithdrawRetry(now: at(0)))
        XCTAssertTrue(budget.tryWithdrawRetry(now: at(0.1)))
        XCTAssertTrue(budget.tryWithdrawRetry(now: at(0.2)))
        XCTAssertFalse(budget.tryWithdrawRetry(now: at(0.3)))
    }

    func testRatioOfRequests() {
        var budget = RetryBudgetState(configuration: .init(ratio: 0.2, minRetriesPerSecond: 0, windowSeconds: 10))
        for _ in 0..<100 { budget.recordRequest(now: at(0)) }
        for _ in 0..<20 { XCTAssertTrue(budget.tryWithdrawRetry(now: at(0.5))) }
        XCTAssertFalse(budget.tryWithdrawRetry(now: at(0.5)))
    }

    func testWindowSlides() {
        var budget = RetryBudgetState(configuration: .init(ratio: 0.5, minRetriesPerSecond: 0, windowSeconds: 2))
        for _ in 0..<4 { budget.recordRequest(now: at(0)) }
        XCTAssertTrue(budget.tryWithdrawRetry(now: at(0)))
        XCTAssertTrue(budget.tryWithdrawRetry(now: at(0)))
        XCTAssertFalse(budget.tryWithdrawRetry(now: at(1)))
        // Two seconds later the requests and the retries have left the window.
        XCTAssertFalse(budget.tryWithdrawRetry(now: at(2.5)))
        for _ in 0..<2 { budget.recordRequest(now: at(2.5)) }
        XCTAssertTrue(budget.tryWithdrawRetry(now: at(2.6)))
        XCTAssertFalse(budget.tryWithdrawRetry(now: at(2.7)))
    }

    func testLongIdleResetsEverything() {
        var budget = RetryBudgetState(configuration: .init(ratio: 1, minRetriesPerSecond: 0, windowSeconds: 5))
        budget.recordRequest(now: at(0))
        XCTAssertTrue(budget.tryWithdrawRetry(now: at(0)))
        XCTAssertFalse(budget.tryWithdrawRetry(now: at(0)))
        XCTAssertFalse(budget.tryWithdrawRetry(now: at(1000)))
    }

    func testSharedBudgetIsThreadSafe() {
        let budget = RetryBudget(configuration: .init(ratio: 0, minRetriesPerSecond: 10, windowSeconds: 100))
        let granted = DispatchQueueCounter()
        DispatchQueue.concurrentPerform(iterations: 4000) { _ in
            if budget.tryWithdrawRetry() { granted.increment() }
        }
        XCTAssertEqual(granted.value, 1000)
    }
}

import Dispatch
import NIOConcurrencyHelpers

private final class DispatchQueueCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    func increment() { self.box.withLockedValue { $0 += 1 } }
    var value: Int { self.box.withLockedValue { $0 } }
}
