import NIOCore
import EdgeCore
import EdgeUpstream

/// The trace of one exchange: the edge's server span (its context continued from the
/// client's `traceparent`, or a new trace) and a client span per upstream attempt, whose id
/// goes to the backend as the parent of the backend's spans.
///
/// Made by ``EdgeTracer`` when the exchange starts (only when the request is sampled or
/// came with a trace context); lives on the exchange's event loop (`@unchecked Sendable`
/// for the upstream call's callbacks, which run on that loop).
public final class ExchangeTrace: UpstreamAttemptObserver, @unchecked Sendable {
    public let traceID: TraceID
    /// The edge's server span.
    public let spanID: UInt64
    /// The client's span (0: the edge started the trace).
    public let parentSpanID: UInt64
    public let sampled: Bool
    public let traceState: String?
    package let startUnixNano: UInt64
    private let tracer: EdgeTracer
    private let eventLoop: (any EventLoop)?
    /// Events of the server span: retries, a policy's refusal.
    package var events: [SpanEvent] = []
    /// The attempt in flight: its span id, start and target.
    private var attempt: (spanID: UInt64, start: UInt64, cluster: String, host: String, port: Int)?
    /// The call's method (`pkg.Service/Method`), for the client spans.
    package var rpcMethod: String

    package init(
        tracer: EdgeTracer, eventLoop: (any EventLoop)?, traceID: TraceID, spanID: UInt64, parentSpanID: UInt64, sampled: Bool,
        traceState: String?, rpcMethod: String
    ) {
        self.tracer = tracer
        self.eventLoop = eventLoop
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.sampled = sampled
        self.traceState = traceState
        self.rpcMethod = rpcMethod
        self.startUnixNano = SpanRecord.nowUnixNano()
    }

    /// The trace id as 32 lowercase hex digits (access logs).
    public var traceIDText: String { traceID.description }

    public func attemptStarted(_ number: Int, cluster: String, host: String, port: Int) -> String? {
        guard sampled else {
            // Not recorded here: the backend continues the caller's context as it came.
            return TraceContext.traceparent(traceID: traceID, spanID: parentSpanID != 0 ? parentSpanID : spanID, sampled: false)
        }
        let id = tracer.nextSpanID(on: eventLoop)
        attempt = (id, SpanRecord.nowUnixNano(), cluster, host, port)
        return TraceContext.traceparent(traceID: traceID, spanID: id, sampled: true)
    }

    public func attemptEnded(_ number: Int, status: GRPCStatus, retrying: Bool) {
        guard sampled, let attempt else { return }
        self.attempt = nil
        let end = SpanRecord.nowUnixNano()
        if let eventLoop {
            // Written straight into the loop's export buffer (no SpanRecord), attributes in this order.
            let (traceID, parentSpanID, traceState, rpcMethod) = (traceID, spanID, traceState, rpcMethod)
            tracer.exporter.withSpanWriter(on: eventLoop) { writer in
                writer.spanHeader(
                    traceID: traceID, spanID: attempt.spanID, parentSpanID: parentSpanID, traceState: traceState, name: rpcMethod,
                    kind: .client, start: attempt.start, end: end)
                writer.attribute("rpc.system.name", literal: "grpc")
                writer.attribute("rpc.system", literal: "grpc")
                writer.attribute("rpc.method", rpcMethod)
                writer.attribute("rpc.response.status_code", status.code.name)
                writer.attribute("rpc.grpc.status_code", Int64(status.code.rawValue))
                writer.attribute("server.address", attempt.host)
                writer.attribute("server.port", Int64(attempt.port))
                writer.attribute("edge.upstream.cluster", attempt.cluster)
                if number > 1 { writer.attribute("edge.upstream.attempt", Int64(number)) }
                if status.code != .ok {
                    writer.attribute("error.type", status.code.name)
                    writer.status(.error(message: status.message))
                }
            }
        }
        if retrying {
            events.append(SpanEvent(name: "retry", timeUnixNano: end, attributes: [
                ("edge.upstream.attempt", .int(Int64(number))), ("rpc.response.status_code", .string(status.code.name)),
            ]))
        }
    }

}
