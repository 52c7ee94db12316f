import NIOCore
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgeUpstream

/// ``CircuitBreakerState`` transitions with time passed in, and ``CircuitBreaker``'s
/// permits; no sockets.
final class CircuitBreakerTests: XCTestCase {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    private func state(_ configuration: CircuitBreakerConfiguration) -> CircuitBreakerState {
        CircuitBreakerState(configuration: configuration, now: self.start)
    }

    func testWhatCountsAsAFailure() {
        let failures = GRPCStatusCode.allCases.filter(CircuitBreakerState.countsAsFailure)
        XCTAssertEqual(Set(failures), [.unavailable, .deadlineExceeded, .internal, .unknown, .dataLoss])
    }

    func testOpensAfterConsecutiveFailuresAndRejectsUntilTheTimeout() {
        var breaker = state(.init(consecutiveFailures: 3, errorRate: 0, openTimeout: .seconds(5)))
        for _ in 0..<2 {
            XCTAssertEqual(breaker.admit(now: start), .allowed)
            breaker.record(failure: true, probe: false, now: start)
        }
        // A success resets the run.
        breaker.record(failure: false, probe: false, now: start)
        XCTAssertEqual(breaker.consecutiveFailures, 0)
        for _ in 0..<3 { breaker.record(failure: true, probe: false, now: start) }
        XCTAssertEqual(breaker.phase, .open(until: start + .seconds(5)))
        XCTAssertEqual(breaker.timesOpened, 1)
        XCTAssertEqual(breaker.admit(now: start + .seconds(4)), .rejected)
        XCTAssertEqual(breaker.rejectedCalls, 1)
        // Calls admitted before the opening that end now change nothing.
        breaker.record(failure: false, probe: false, now: start + .seconds(4))
        XCTAssertEqual(breaker.phase, .open(until: start + .seconds(5)))
    }

    func testClientErrorsDoNotOpenIt() {
        var breaker = state(.init(consecutiveFailures: 2, errorRate: 0.5, minRequests: 2))
        for code in [GRPCStatusCode.invalidArgument, .notFound, .permissionDenied, .resourceExhausted, .alreadyExists] {
            breaker.record(failure: CircuitBreakerState.countsAsFailure(code), probe: false, now: start)
        }
        XCTAssertEqual(breaker.phase, .closed)
    }

    func testHalfOpenProbeSuccessCloses() {
        var breaker = state(.init(consecutiveFailures: 1, errorRate: 0, openTimeout: .seconds(1), halfOpenProbes: 2))
        breaker.record(failure: true, probe: false, now: start)
        let later = start + .seconds(1)
        XCTAssertEqual(breaker.admit(now: later), .probe)
        XCTAssertEqual(breaker.phase, .halfOpen)
        XCTAssertEqual(breaker.admit(now: later), .probe)
        XCTAssertEqual(breaker.admit(now: later), .rejected, "only two probes at once")
        // A non-probe result (a call from before) does not decide.
        breaker.record(failure: false, probe: false, now: later)
        XCTAssertEqual(breaker.phase, .halfOpen)
        breaker.record(failure: false, probe: true, now: later)
        XCTAssertEqual(breaker.phase, .closed)
        XCTAssertEqual(breaker.admit(now: later), .allowed)
        // The other probe ending late (even failed) changes nothing.
        breaker.record(failure: true, probe: true, now: later)
        XCTAssertEqual(breaker.phase, .closed)
        XCTAssertEqual(breaker.consecutiveFailures, 0)
    }

    func testFailedProbeReopensForTwiceAsLongUpToTheMaximum() {
        var breaker = state(.init(consecutiveFailures: 1, errorRate: 0, openTimeout: .seconds(1), maxOpenTimeout: .seconds(3)))
        breaker.record(failure: true, probe: false, now: start)
        var now = start + .seconds(1)
        var expected: [Int64] = [2, 3, 3]
        while !expected.isEmpty {
            XCTAssertEqual(breaker.admit(now: now), .probe)
            breaker.record(failure: true, probe: true, now: now)
            let seconds = expected.removeFirst()
            XCTAssertEqual(breaker.phase, .open(until: now + .seconds(seconds)))
            XCTAssertEqual(breaker.admit(now: now + .seconds(seconds) - .nanoseconds(1)), .rejected)
            now = now + .seconds(seconds)
        }
        XCTAssertEqual(breaker.timesOpened, 4)
        XCTAssertEqual(breaker.admit(now: now), .probe)
        breaker.record(failure: false, probe: true, now: now)
        XCTAssertEqual(breaker.phase, .closed)
        XCTAssertEqual(breaker.currentOpenTimeout, .seconds(1), "closing resets the open timeout")
    }

    func testErrorRateNeedsMinRequestsInTheWindow() {
        var breaker = state(.init(consecutiveFailures: 0, errorRate: 0.5, window: .seconds(10), minRequests: 4))
        // 3 of 3 failed, but fewer than min_requests.
        for _ in 0..<3 { breaker.record(failure: true, probe: false, now: start) }
        XCTAssertEqual(breaker.phase, .closed)
        // Those leave the window; then 2 failures of 4 calls (50%) open it.
        let later = start + .seconds(11)
        breaker.record(failure: false, probe: false, now: later)
        breaker.record(failure: true, probe: false, now: later)
        breaker.record(failure: false, probe: false, now: later)
        XCTAssertEqual(breaker.phase, .closed)
        XCTAssertEqual(breaker.windowCounts(now: later).requests, 3)
        breaker.record(failure: true, probe: false, now: later)
        XCTAssertEqual(breaker.phase, .open(until: later + CircuitBreakerConfiguration.defaults.openTimeout))
    }

    func testErrorRateBelowTheThresholdStaysClosed() {
        var breaker = state(.init(consecutiveFailures: 0, errorRate: 0.5, window: .seconds(10), minRequests: 4))
        for index in 0..<100 {
            breaker.record(failure: index % 3 == 1, probe: false, now: start + .milliseconds(Int64(index)))
        }
        XCTAssertEqual(breaker.phase, .closed)
        let counts = breaker.windowCounts(now: start + .milliseconds(100))
        XCTAssertEqual(counts.requests, 100)
        XCTAssertEqual(counts.failures, 33)
    }

    func testSlidingWindowDropsOldBuckets() {
        var window = FailureWindow(length: .seconds(10))
        window.advance(to: start)
        for _ in 0..<5 { window.add(failure: true) }
        window.advance(to: start + .seconds(5))
        window.add(failure: false)
        XCTAssertEqual(window.requests, 6)
        window.advance(to: start + .seconds(10) + .milliseconds(500))
        XCTAssertEqual(window.requests, 1)
        XCTAssertEqual(window.failures, 0)
        window.advance(to: start + .seconds(100))
        XCTAssertEqual(window.requests, 0)
    }

    func testCircuitBreakerPermits() {
        let breaker = CircuitBreaker(configuration: .init(consecutiveFailures: 2, errorRate: 0, openTimeout: .seconds(60)))
        XCTAssertEqual(breaker.admit(), .normal)
        breaker.record(.unavailable, permit: .normal)
        breaker.record(.internal, permit: .normal)
        XCTAssertNil(breaker.admit())
        let status = breaker.status()
        XCTAssertEqual(status.state, "open")
        XCTAssertEqual(status.timesOpened, 1)
        XCTAssertEqual(status.rejectedCalls, 1)
        XCTAssertGreaterThan(try XCTUnwrap(status.retryInSeconds), 50)

        let disabled = CircuitBreaker(configuration: .disabled)
        for _ in 0..<100 { disabled.record(.unavailable, permit: .normal) }
        XCTAssertEqual(disabled.admit(), .normal)
        XCTAssertEqual(disabled.status().state, "closed")
    }

    func testSuccessesCountedWithoutTheLockStillBreakTheRunAndFillTheWindow() {
        let breaker = CircuitBreaker(configuration: .init(consecutiveFailures: 3, errorRate: 0.5, window: .seconds(60), minRequests: 10, openTimeout: .seconds(60)))
        for _ in 0..<2 { breaker.record(.unavailable, permit: .normal) }
        breaker.record(.ok, permit: .normal)
        XCTAssertEqual(breaker.status().consecutiveFailures, 0)
        for _ in 0..<2 { breaker.record(.deadlineExceeded, permit: .normal) }
        XCTAssertEqual(breaker.status().state, "closed", "the success in between broke the run")
        var status = breaker.status()
        XCTAssertEqual(status.windowRequests, 5)
        XCTAssertEqual(status.windowFailures, 4)
        // 4 of 5 failed, but min_requests is 10: five more successes, then one failure makes
        // 5 of 11 (below 50%); the next makes 6 of 12: open.
        for _ in 0..<5 { breaker.record(.ok, permit: .normal) }
        status = breaker.status()
        XCTAssertEqual(status.windowRequests, 10)
        breaker.record(.internal, permit: .normal)
        XCTAssertEqual(breaker.status().state, "closed")
        breaker.record(.internal, permit: .normal)
        XCTAssertEqual(breaker.status().state, "open")
        XCTAssertNil(breaker.admit())
    }

    /// The cost the unary path pays per call while the breaker is closed: `admit()` and
    /// `record(_:permit:)`. Printed, not asserted: debug builds are ~10× slower than -O, where
    /// the same code measured ~10–15 ns per call single-threaded.
    func testPerCallCost() {
        let breaker = CircuitBreaker(configuration: .defaults)
        let calls = 200_000
        let begin = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls {
            if let permit = breaker.admit() { breaker.record(.ok, permit: permit) }
        }
        let nanos = Double(DispatchTime.now().uptimeNanoseconds - begin) / Double(calls)
        XCTAssertEqual(breaker.status().state, "closed")
        print("circuit breaker admit+record: \(String(format: "%.1f", nanos)) ns per call (this build)")
    }
}
