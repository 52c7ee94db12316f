/// A cap on requests in flight: the shared ``InFlightCounter`` and the configured maximum.
/// A value compiled with the configuration; the counter is what reloads share.
public struct InFlightLimit: Sendable {
    public let counter: InFlightCounter
    public let maximum: Int

    public init(counter: InFlightCounter = InFlightCounter(), maximum: Int) {
        precondition(maximum > 0, "an in-flight cap must be positive")
        self.counter = counter
        self.maximum = maximum
    }

    /// Takes a slot; `false`: the cap is reached, refuse the request.
    @inline(__always)
    public func tryAcquire() -> Bool { counter.tryAcquire(maximum: maximum) }

    /// Gives back a slot taken by ``tryAcquire()``.
    @inline(__always)
    public func release() { counter.release() }
}
