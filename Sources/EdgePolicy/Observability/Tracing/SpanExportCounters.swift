import Atomics

/// What the exporter did since it started, readable from any thread (metrics, tests).
public final class SpanExportCounters: Sendable {
    /// Spans the collector accepted (a 2xx answer to their request).
    public let spansExported = ManagedAtomic<Int>(0)
    /// Spans lost: the queue was full, their request failed, or they came after shutdown.
    public let spansDropped = ManagedAtomic<Int>(0)
    /// Requests that failed: no connection, a non-2xx answer, a timeout.
    public let exportFailures = ManagedAtomic<Int>(0)

    public init() {}
}
