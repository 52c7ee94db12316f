import Atomics
import NIOConcurrencyHelpers
import NIOCore

/// A cluster's circuit breaker, shared by every event loop.
///
/// The per-call cost while closed is one relaxed atomic load in ``admit()`` and one
/// short lock in ``record(_:permit:)`` when the call ends. The lock guards a
/// ``CircuitBreakerState``; the atomic mirrors whether it is closed, so the common case
/// never takes the lock to decide.
final class CircuitBreaker: Sendable {
    /// A call let through: a normal call, or a probe while half-open. Hand it back to
    /// ``record(_:permit:)`` exactly once.
    enum Permit: Sendable {
        case normal
        case probe
    }

    let configuration: CircuitBreakerConfiguration
    private let notClosed = ManagedAtomic<Bool>(false)
    private let state: NIOLockedValueBox<CircuitBreakerState>

    init(configuration: CircuitBreakerConfiguration) {
        self.configuration = configuration
        self.state = NIOLockedValueBox(CircuitBreakerState(configuration: configuration, now: .now()))
    }

    /// Whether a call may start; nil while open (or half-open with its probes taken).
    @inline(__always)
    func admit() -> Permit? {
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
    func record(_ code: GRPCStatusCode, permit: Permit) {
        guard self.configuration.enabled else { return }
        let failure = CircuitBreakerState.countsAsFailure(code)
        let now = NIODeadline.now()
        self.state.withLockedValue { state in
            state.record(failure: failure, probe: permit == .probe, now: now)
            self.notClosed.store(!state.isClosed, ordering: .relaxed)
        }
    }

    /// The state for `GET /admin/upstreams`.
    func status(now: NIODeadline = .now()) -> CircuitBreakerStatus {
        let state = self.state.withLockedValue { $0 }
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
