/// A W3C Trace Context (https://www.w3.org/TR/trace-context/): the trace a request belongs to and the
/// span that sent it, from `traceparent` (and `tracestate`), or the context the edge sends onwards.
public struct TraceContext: Sendable, Equatable {
    public var traceID: TraceID
    /// The caller's span (`parent-id` in `traceparent`): the parent of the edge's server span.
    public var spanID: UInt64
    public var sampled: Bool
    /// `tracestate`, kept verbatim when it is within W3C's bounds (see ``TraceState``); nil when absent or dropped.
    public var traceState: String?

    public init(traceID: TraceID, spanID: UInt64, sampled: Bool, traceState: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
        self.traceState = traceState
    }

    /// The incoming context, or nil when `traceparent` is missing or invalid (then a new trace starts
    /// and `tracestate` is ignored, as the Recommendation requires).
    ///
    /// Version 00 must be exactly 55 characters. A higher version (not ff) is read leniently: its
    /// first 55 characters as version 00, and anything after them only when it starts with `-`.
    /// Hex must be lowercase; an all-zero trace-id or parent-id is invalid.
    public static func parse(traceparent: String?, tracestate: String?) -> TraceContext? {
        guard var traceparent else { return nil }
        let parsed = traceparent.withUTF8 { parseTraceparent($0) }
        guard var context = parsed else { return nil }
        context.traceState = tracestate.flatMap(TraceState.bounded)
        return context
    }

    /// `traceparent` alone (the trace state unset).
    package static func parseTraceparent(_ bytes: UnsafeBufferPointer<UInt8>) -> TraceContext? {
        guard bytes.count >= 55,
            let v0 = TraceHex.value(bytes[0]), let v1 = TraceHex.value(bytes[1]),
            bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
        else { return nil }
        let version = v0 << 4 | v1
        if version == 0xFF { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            guard bytes[55] == UInt8(ascii: "-") else { return nil }
        }
        guard let high = hex64(bytes, from: 3), let low = hex64(bytes, from: 19), let parent = hex64(bytes, from: 36),
            let f0 = TraceHex.value(bytes[53]), let f1 = TraceHex.value(bytes[54])
        else { return nil }
        let traceID = TraceID(high: high, low: low)
        guard traceID.isValid, parent != 0 else { return nil }
        return TraceContext(traceID: traceID, spanID: parent, sampled: (f0 << 4 | f1) & 1 == 1)
    }

    @inline(__always)
    private static func hex64(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start..<start + 16 {
            guard let digit = TraceHex.value(bytes[index]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    /// This context as a version-00 `traceparent`.
    public var traceparent: String {
        Self.traceparent(traceID: traceID, spanID: spanID, sampled: sampled)
    }

    /// A version-00 `traceparent`: `00-<trace-id>-<span-id>-<01 | 00>`, 55 characters.
    public static func traceparent(traceID: TraceID, spanID: UInt64, sampled: Bool) -> String {
        String(unsafeUninitializedCapacity: 55) { buffer in
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "0")
            buffer[2] = UInt8(ascii: "-")
            TraceHex.write(traceID.high, into: buffer, at: 3)
            TraceHex.write(traceID.low, into: buffer, at: 19)
            buffer[35] = UInt8(ascii: "-")
            TraceHex.write(spanID, into: buffer, at: 36)
            buffer[52] = UInt8(ascii: "-")
            buffer[53] = UInt8(ascii: "0")
            buffer[54] = sampled ? UInt8(ascii: "1") : UInt8(ascii: "0")
            return 55
        }
    }

    /// The context to send to the backend for the edge's own span `spanID` (same trace, same state).
    public func child(spanID: UInt64, sampled: Bool) -> TraceContext {
        TraceContext(traceID: traceID, spanID: spanID, sampled: sampled, traceState: traceState)
    }
}
