import NIOCore
import EdgeConfig
import EdgeCore

/// The circuit breaker of one cluster as a state machine, free of I/O and clocks (time
/// is passed in), so every transition can be tested directly. ``CircuitBreaker`` wraps it
/// in a lock for the event loops.
///
/// closed → open (too many failures) → half-open after the open timeout (a few probe
/// calls) → closed on a probe's success, or open again (for twice as long) on its failure.
package struct CircuitBreakerState {
    package enum Phase: Equatable {
        case closed
        case open(until: NIODeadline)
        case halfOpen
    }

    /// Whether a call may go ahead, and whether it is a half-open probe.
    package enum Admission: Equatable {
        case allowed
        case probe
        case rejected
    }

    /// The failures that count against a cluster (breaker and outlier detection): the
    /// backend or the path to it is in trouble. UNAVAILABLE (refused connections, lost
    /// connections, GOAWAY, 503s), DEADLINE_EXCEEDED, and the 5xx-like INTERNAL, UNKNOWN
    /// and DATA_LOSS. Answers about the request itself (INVALID_ARGUMENT, NOT_FOUND,
    /// PERMISSION_DENIED, RESOURCE_EXHAUSTED, …) show a working backend and do not count.
    package static func countsAsFailure(_ code: GRPCStatusCode) -> Bool {
        switch code {
        case .unavailable, .deadlineExceeded, .internal, .unknown, .dataLoss: return true
        default: return false
        }
    }

    package let configuration: CircuitBreakerConfiguration
    package private(set) var phase: Phase = .closed
    /// When `phase` was entered.
    package private(set) var since: NIODeadline
    package private(set) var consecutiveFailures = 0
    package private(set) var timesOpened = 0
    package private(set) var rejectedCalls = 0
    /// The open period the next opening from half-open uses (doubles on failed probes).
    package private(set) var currentOpenTimeout: TimeAmount
    private var probesInFlight = 0
    private var window: FailureWindow

    package init(configuration: CircuitBreakerConfiguration, now: NIODeadline) {
        self.configuration = configuration
        self.since = now
        self.currentOpenTimeout = configuration.openTimeout
        self.window = FailureWindow(length: configuration.window)
    }

    /// Calls and failures that ended in the current window (closed phase only).
    package func windowCounts(now: NIODeadline) -> (requests: Int, failures: Int) {
        var window = self.window
        window.advance(to: now)
        return (window.requests, window.failures)
    }

    package var isClosed: Bool { self.phase == .closed }

    package mutating func admit(now: NIODeadline) -> Admission {
        switch self.phase {
        case .closed:
            return .allowed
        case .open(let until):
            guard now >= until else {
                self.rejectedCalls += 1
                return .rejected
            }
            self.phase = .halfOpen
            self.since = now
            self.probesInFlight = 1
            return .probe
        case .halfOpen:
            guard self.probesInFlight < self.configuration.halfOpenProbes else {
                self.rejectedCalls += 1
                return .rejected
            }
            self.probesInFlight += 1
            return .probe
        }
    }

    /// Counts successful calls that ended since the last recorded event, as if they ended
    /// `now` (which can only make the error rate look lower, never open the breaker
    /// early). ``CircuitBreaker`` records successes while closed with an atomic counter
    /// and hands them over here, under its lock, before the next failure.
    package mutating func addSuccesses(_ count: Int, now: NIODeadline) {
        guard count > 0, self.phase == .closed else { return }
        self.window.advance(to: now)
        self.window.add(successes: count)
        self.consecutiveFailures = 0
    }

    /// Records how an admitted call ended. Results of calls admitted while closed are
    /// ignored once the breaker has opened; while half-open only probes decide.
    package mutating func record(failure: Bool, probe: Bool, now: NIODeadline) {
        switch self.phase {
        case .closed:
            guard !probe else { return }
            self.window.advance(to: now)
            self.window.add(failure: failure)
            if failure {
                self.consecutiveFailures += 1
            } else {
                self.consecutiveFailures = 0
            }
            if self.shouldTrip {
                self.open(for: self.configuration.openTimeout, now: now)
            }
        case .open:
            break
        case .halfOpen:
            guard probe else { return }
            self.probesInFlight -= 1
            if failure {
                let doubled = TimeAmount.nanoseconds(self.currentOpenTimeout.nanoseconds.multipliedReportingOverflow(by: 2).partialValue)
                self.open(for: min(max(doubled, self.configuration.openTimeout), self.configuration.maxOpenTimeout), now: now)
            } else {
                self.close(now: now)
            }
        }
    }

    private var shouldTrip: Bool {
        let configuration = self.configuration
        if configuration.consecutiveFailures > 0, self.consecutiveFailures >= configuration.consecutiveFailures {
            return true
        }
        guard configuration.errorRate > 0, self.window.requests >= max(1, configuration.minRequests) else { return false }
        return Double(self.window.failures) >= configuration.errorRate * Double(self.window.requests)
    }

    private mutating func open(for timeout: TimeAmount, now: NIODeadline) {
        self.phase = .open(until: now + timeout)
        self.since = now
        self.currentOpenTimeout = timeout
        self.timesOpened += 1
        self.probesInFlight = 0
    }

    private mutating func close(now: NIODeadline) {
        self.phase = .closed
        self.since = now
        self.consecutiveFailures = 0
        self.currentOpenTimeout = self.configuration.openTimeout
        self.probesInFlight = 0
        self.window.reset()
    }
}

/// Calls and failures over a sliding window, in ten buckets of a tenth of its length.
package struct FailureWindow {
    private static let bucketCount = 10
    private let bucketNanos: Int64
    private var requestBuckets = [Int](repeating: 0, count: bucketCount)
    private var failureBuckets = [Int](repeating: 0, count: bucketCount)
    /// The bucket number (time / bucket length) that `currentIndex` counts.
    private var currentBucket: Int64 = 0
    private var currentIndex = 0
    package private(set) var requests = 0
    package private(set) var failures = 0

    package init(length: TimeAmount) {
        self.bucketNanos = max(1, length.nanoseconds / Int64(Self.bucketCount))
    }

    package mutating func advance(to now: NIODeadline) {
        let bucket = Int64(now.uptimeNanoseconds / UInt64(self.bucketNanos))
        guard bucket > self.currentBucket else { return }
        let steps = Int(min(bucket - self.currentBucket, Int64(Self.bucketCount)))
        for _ in 0..<steps {
            self.currentIndex = (self.currentIndex + 1) % Self.bucketCount
            self.requests -= self.requestBuckets[self.currentIndex]
            self.failures -= self.failureBuckets[self.currentIndex]
            self.requestBuckets[self.currentIndex] = 0
            self.failureBuckets[self.currentIndex] = 0
        }
        self.currentBucket = bucket
    }

    package mutating func add(successes count: Int) {
        self.requestBuckets[self.currentIndex] += count
        self.requests += count
    }

    package mutating func add(failure: Bool) {
        self.requestBuckets[self.currentIndex] += 1
        self.requests += 1
        if failure {
            self.failureBuckets[self.currentIndex] += 1
            self.failures += 1
        }
    }

    package mutating func reset() {
        for index in 0..<Self.bucketCount {
            self.requestBuckets[index] = 0
            self.failureBuckets[index] = 0
        }
        self.requests = 0
        self.failures = 0
    }
}
