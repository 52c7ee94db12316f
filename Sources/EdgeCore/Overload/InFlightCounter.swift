import Atomics

/// Requests in flight against one cap (a route's `max_in_flight`, a cluster's `max_requests`),
/// shared by every event loop, and how many the cap turned away.
///
/// A slot is taken with one relaxed wrapping increment; when that went past the cap it is
/// undone (and the refusal counted), so the count never lets more than `maximum` through, and
/// no lock is taken. Two loops racing for the last slot may both see it taken and both refuse:
/// at the cap, a refusal too many, never a request too many.
///
/// The counter outlives the configuration that made it: a reload hands the same object to the
/// new snapshot (``OverloadCounters``), so requests still running on the old snapshot give
/// their slot back to the count the new cap reads.
public final class InFlightCounter: Sendable {
    private let taken = ManagedAtomic<Int>(0)
    private let refusals = ManagedAtomic<Int>(0)

    public init() {}

    /// Takes a slot unless `maximum` are taken; `false`: refused (and counted).
    @inline(__always)
    public func tryAcquire(maximum: Int) -> Bool {
        let before = taken.loadThenWrappingIncrement(ordering: .relaxed)
        guard before >= maximum else { return true }
        taken.wrappingDecrement(ordering: .relaxed)
        refusals.wrappingIncrement(ordering: .relaxed)
        return false
    }

    /// Gives back a slot ``tryAcquire(maximum:)`` took: exactly once per slot.
    @inline(__always)
    public func release() {
        taken.wrappingDecrement(ordering: .relaxed)
    }

    /// Requests holding a slot now (for an instant, a racing refusal may show as one more).
    public var inFlight: Int { taken.load(ordering: .relaxed) }

    /// Requests the cap turned away since the counter was made.
    public var refused: Int { refusals.load(ordering: .relaxed) }
}
