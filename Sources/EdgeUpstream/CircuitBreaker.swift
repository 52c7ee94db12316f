import Atomics
import NIOConcurrencyHelpers
import NIOCore
import EdgeConfig
import EdgeCore

/// A cluster's circuit breaker, shared by every event loop.
///
/// The per-call cost while closed: one relaxed atomic load in ``admit()``; for a call
/// that succeeds, one load and one relaxed atomic increment in ``record(_:permit:)``,
/// with no lock and no clock. Failures (and everything while open or half-open) take a
/// lock around the ``CircuitBreakerState``, which first folds in the successes counted
/// since the last failure. An atomic mirrors whether the state is closed.
package final class CircuitBreaker: Sendable {
    /// A call let through: a normal call, or a probe while half-open. Hand it back to
    /// ``record(_:permit:)`` exactly once.
    package enum Permit: Sendable {
        case normal
        case probe
    }

    package let configuration: CircuitBreakerConfiguration
    private let notClosed = ManagedAtomic<Bool>(false)
    /// Successful calls while closed, not yet handed to the state.
    private let pendingSuccesses = ManagedAtomic<Int>(0)
    private let state: NIOLockedValueBox<CircuitBreakerState>

    package init(configuration: CircuitBreakerConfiguration) {
        self.configuration = configuration
        self.state = NIOLockedValueBox(CircuitBreakerState(configuration: configuration, now: .now()))
    }

    /// Whether a call may start; nil while open (or half-open with its probes taken).
    @inline(__always)
    package func admit() -> Permit? {
        guard self.configuration.enabled, self.notClosed.load(ordering: .relaxed) else { return .normal }
        return self.admitSlowly()
    }

    private func admitSlowly() -> Permit? {
        let now = NIODeadline.now()
        return self.state.withLockedValue { state in
            let admission = state.admit(now: now)
            self.notClosed.store(!state.isClosed, ordering: .relaxed)
            switch admission {
            case .allowed: return .normal
            case .probe: return .probe
            case .rejected: return nil
            }
        }
    }

    /// Records how an admitted call ended.
    package func record(_ code: GRPCStatusCode, permit: Permit) {
        guard self.configuration.enabled else { return }
        let failure = CircuitBreakerState.countsAsFailure(code)
        if !failure, permit == .normal, !self.notClosed.load(ordering: .relaxed) {
            self.pendingSuccesses.wrappingIncrement(ordering: .relaxed)
            return
        }
        self.recordSlowly(failure: failure, permit: permit)
    }

    private func recordSlowly(failure: Bool, permit: Permit) {
        let now = NIODeadline.now()
        self.state.withLockedValue { state in
            state.addSuccesses(self.pendingSuccesses.exchange(0, ordering: .relaxed), now: now)
            state.record(failure: failure, probe: permit == .probe, now: now)
            self.notClosed.store(!state.isClosed, ordering: .relaxed)
        }
    }

    /// The state for `GET /admin/upstreams`.
    package func status(now: NIODeadline = .now()) -> CircuitBreakerStatus {
        var state = self.state.withLockedValue { $0 }
        state.addSuccesses(self.pendingSuccesses.load(ordering: .relaxed), now: now)
        let counts = state.windowCounts(now: now)
        let name: String
        var retryIn: TimeAmount?
        switch state.phase {
        case .closed:
            name = "closed"
        case .open(let until) where until > now:
            name = "open"
            retryIn = until - now
        case .open, .halfOpen:
            name = "half_open"
        }
        return CircuitBreakerStatus(
            enabled: self.configuration.enabled, state: name, since: UpstreamAdminClock.wallTime(of: state.since, now: now),
            consecutiveFailures: state.consecutiveFailures, windowRequests: counts.requests, windowFailures: counts.failures,
            timesOpened: state.timesOpened, rejectedCalls: state.rejectedCalls,
            retryInSeconds: retryIn.map { Double($0.nanoseconds) / 1e9 })
    }
}
