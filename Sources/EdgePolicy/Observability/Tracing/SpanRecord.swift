import EdgeUpstream
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A finished span, as the server hands it to ``SpanExporter``: plain data, no locks, no references
/// to the request. Attribute names follow the OpenTelemetry semantic conventions (the server picks them).
public struct SpanRecord: Sendable {
    public enum Kind: Sendable, Equatable {
        case server
        case client
    }

    public enum Status: Sendable, Equatable {
        case unset
        case ok
        case error(message: String)
    }

    public var traceID: TraceID
    public var spanID: UInt64
    /// 0 for a root span (the edge started the trace).
    public var parentSpanID: UInt64
    public var name: String
    public var kind: Kind
    public var startUnixNano: UInt64
    public var endUnixNano: UInt64
    public var attributes: [(key: String, value: SpanAttributeValue)]
    public var events: [SpanEvent]
    public var status: Status
    /// The W3C trace state the span was part of (exported as the span's `trace_state`).
    public var traceState: String?

    public init(
        traceID: TraceID, spanID: UInt64, parentSpanID: UInt64 = 0, name: String, kind: Kind,
        startUnixNano: UInt64, endUnixNano: UInt64, attributes: [(key: String, value: SpanAttributeValue)] = [],
        events: [SpanEvent] = [], status: Status = .unset, traceState: String? = nil
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startUnixNano = startUnixNano
        self.endUnixNano = endUnixNano
        self.attributes = attributes
        self.events = events
        self.status = status
        self.traceState = traceState
    }

    /// Wall-clock time in Unix nanoseconds (the clock OTLP timestamps use; a vDSO call, no syscall).
    @inline(__always)
    public static func nowUnixNano() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
