/// Decides, per event loop, which exchanges are written: every error (unless nothing is
/// sampled away anyway), and of the successes a deterministic `sampling` fraction.
///
/// The fraction is kept as a 32-bit fixed-point credit added per success; a line is written
/// each time the credit passes one. So 0.25 writes exactly every 4th success, and after n
/// successes floor(n * sampling) (within one) have been written, with no random numbers.
package struct AccessLogSampler: Sendable {
    private static let one: UInt64 = 1 << 32
    private let increment: UInt64
    private let errorsOnly: Bool
    private var credit: UInt64 = 0

    package init(sampling: Double, errorsOnly: Bool) {
        let clamped = min(max(sampling, 0), 1)
        self.increment = UInt64((clamped * Double(Self.one)).rounded())
        self.errorsOnly = errorsOnly
    }

    /// Whether the exchange is written; called once per completed exchange.
    package mutating func admits(isError: Bool) -> Bool {
        if isError { return true }
        if errorsOnly { return false }
        credit += increment
        guard credit >= Self.one else { return false }
        credit -= Self.one
        return true
    }
}
