/// Head-based sampling: the caller's decision when it sent a valid `traceparent` (parent-based, the
/// sampled flag honoured both ways), otherwise a ratio on the trace id for a new trace.
///
/// The ratio works like OpenTelemetry's TraceIdRatioBased with a 56-bit threshold (the OTel
/// "consistent probability sampling" form): a trace is kept when the low 56 bits of its id are at
/// least `(1 - ratio) * 2^56`. The decision depends on the trace id alone, so every service using
/// the same rule keeps the same traces, and a smaller ratio keeps a subset of a larger one's.
/// One value per route, compiled at load time; deciding is a comparison.
public struct TraceSampler: Sendable, Equatable {
    /// Kept when `id.low & (2^56 - 1) >= threshold`; 2^56 keeps nothing.
    public let threshold: UInt64
    public let ratio: Double

    package static let randomnessMask: UInt64 = (1 << 56) - 1

    /// - Parameter ratio: the share of new traces kept, 0...1 (checked by the config parser; clamped here).
    public init(ratio: Double) {
        let ratio = ratio.isNaN ? 0 : min(max(ratio, 0), 1)
        self.ratio = ratio
        if ratio >= 1 {
            threshold = 0
        } else if ratio <= 0 {
            threshold = 1 << 56
        } else {
            // (1 - ratio) * 2^56, rounded; below 2^56 since ratio > 0 and 2^56 is exact in a Double.
            let rejected = ((1 - ratio) * 72_057_594_037_927_936).rounded()
            threshold = min(UInt64(rejected), (1 << 56) - 1)
        }
    }

    public static let always = TraceSampler(ratio: 1)
    public static let never = TraceSampler(ratio: 0)

    /// Whether a new trace with this id is sampled.
    @inline(__always)
    public func samples(newTrace traceID: TraceID) -> Bool {
        traceID.low & Self.randomnessMask >= threshold
    }

    /// The decision for a request: the parent's sampled flag when it came with a valid context,
    /// the ratio on `traceID` otherwise.
    @inline(__always)
    public func samples(parent: TraceContext?, traceID: TraceID) -> Bool {
        if let parent { return parent.sampled }
        return samples(newTrace: traceID)
    }
}
