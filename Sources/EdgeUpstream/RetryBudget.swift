import NIOConcurrencyHelpers
import NIOCore

/// Limits retries per cluster so they cannot multiply load on a backend in trouble.
///
/// Over a sliding window (split into one-second buckets) retries may add at most
/// `ratio` of the first attempts, but never fewer than `minRetriesPerSecond`×window,
/// so a quiet cluster can still retry. Shared by every event loop; the lock is held
/// for a few arithmetic operations only.
public final class RetryBudget: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Retries allowed as a fraction of first attempts in the window (0.2 = +20%).
        public var ratio: Double
        /// The floor, so low-traffic clusters can retry at all.
        public var minRetriesPerSecond: Int
        /// The sliding window length in seconds.
        public var windowSeconds: Int

        public init(ratio: Double = 0.2, minRetriesPerSecond: Int = 5, windowSeconds: Int = 10) {
            self.ratio = ratio
            self.minRetriesPerSecond = minRetriesPerSecond
            self.windowSeconds = max(1, windowSeconds)
        }

        public static var defaults: Configuration { .init() }
    }

    public let configuration: Configuration
    private let state: NIOLockedValueBox<RetryBudgetState>

    public init(configuration: Configuration = .defaults) {
        self.configuration = configuration
        self.state = NIOLockedValueBox(RetryBudgetState(configuration: configuration))
    }

    /// Counts a first attempt.
    package func recordRequest(now: NIODeadline = .now()) {
        self.state.withLockedValue { $0.recordRequest(now: now) }
    }

    /// Takes one retry from the budget; false when the budget is spent.
    package func tryWithdrawRetry(now: NIODeadline = .now()) -> Bool {
        self.state.withLockedValue { $0.tryWithdrawRetry(now: now) }
    }
}

/// The arithmetic of ``RetryBudget``, with time passed in so it can be tested.
package struct RetryBudgetState {
    private let configuration: RetryBudget.Configuration
    private var requests: [Int]
    private var retries: [Int]
    /// The second (since the NIODeadline epoch) that bucket `currentIndex` counts.
    private var currentSecond: Int64 = 0
    private var currentIndex = 0

    package init(configuration: RetryBudget.Configuration) {
        self.configuration = configuration
        self.requests = Array(repeating: 0, count: configuration.windowSeconds)
        self.retries = Array(repeating: 0, count: configuration.windowSeconds)
    }

    package mutating func recordRequest(now: NIODeadline) {
        self.advance(to: now)
        self.requests[self.currentIndex] += 1
    }

    package mutating func tryWithdrawRetry(now: NIODeadline) -> Bool {
        self.advance(to: now)
        let window = self.configuration.windowSeconds
        let totalRequests = self.requests.reduce(0, +)
        let totalRetries = self.retries.reduce(0, +)
        let allowed = max(self.configuration.minRetriesPerSecond * window, Int(Double(totalRequests) * self.configuration.ratio))
        guard totalRetries < allowed else { return false }
        self.retries[self.currentIndex] += 1
        return true
    }

    private mutating func advance(to now: NIODeadline) {
        let second = Int64(now.uptimeNanoseconds / 1_000_000_000)
        guard second > self.currentSecond else { return }
        let window = self.configuration.windowSeconds
        let steps = Int(min(second - self.currentSecond, Int64(window)))
        for _ in 0..<steps {
            self.currentIndex = (self.currentIndex + 1) % window
            self.requests[self.currentIndex] = 0
            self.retries[self.currentIndex] = 0
        }
        self.currentSecond = second
    }
}
