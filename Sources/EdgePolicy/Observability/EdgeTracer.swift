import NIOConcurrencyHelpers
import NIOCore

/// Distributed tracing as an observer of every policy chain: when an exchange starts (before
/// any policy runs) it continues the client's W3C `traceparent`/`tracestate` or starts a new
/// trace, decides head-based sampling (the parent's flag, else the route's or the global
/// ratio), and — when sampled — records the server span `{METHOD} {route}` at the end, with a
/// client span per upstream attempt (``ExchangeTrace``). Spans go to the ``SpanExporter``:
/// per-loop buffers, encoded and posted off the loops.
///
/// Ids come from a generator per event loop (no lock, no syscall per id).
package final class EdgeTracer: ExchangeObserver, Sendable {
    package let exporter: SpanExporter
    private let sampler: TraceSampler
    private let loops: [(id: ObjectIdentifier, ids: LoopIDs)]
    /// For loops not given at init (tests): behind a lock.
    private let other = LoopIDs()
    private let otherLock = NIOLock()

    /// One loop's id generator; touched on that loop only.
    package final class LoopIDs: @unchecked Sendable {
        package var generator = TraceIDGenerator()
    }

    package init(exporter: SpanExporter, sampling: Double, eventLoops: [any EventLoop]) {
        self.exporter = exporter
        self.sampler = TraceSampler(ratio: sampling)
        self.loops = eventLoops.map { (ObjectIdentifier($0), LoopIDs()) }
    }

    private func ids(_ loop: (any EventLoop)?) -> LoopIDs? {
        guard let loop else { return nil }
        let id = ObjectIdentifier(loop)
        for entry in loops where entry.id == id { return entry.ids }
        return nil
    }

    package func nextSpanID(on loop: (any EventLoop)?) -> UInt64 {
        if let ids = ids(loop) { return ids.generator.nextSpanID() }
        return otherLock.withLock { other.generator.nextSpanID() }
    }

    package func nextTraceID(on loop: (any EventLoop)?) -> TraceID {
        if let ids = ids(loop) { return ids.generator.nextTraceID() }
        return otherLock.withLock { other.generator.nextTraceID() }
    }

    package func exchangeStarted(_ exchange: inout PolicyExchange) {
        let headers = exchange.head.headers
        let incoming = TraceContext.parse(traceparent: headers.first(name: "traceparent"), tracestate: headers.first(name: "tracestate"))
        let loop = exchange.connection.eventLoop
        let traceID = incoming?.traceID ?? nextTraceID(on: loop)
        let sampler = exchange.route?.traceSampler ?? self.sampler
        let sampled = sampler.samples(parent: incoming, traceID: traceID)
        guard sampled || incoming != nil else { return }
        exchange.trace = ExchangeTrace(
            tracer: self, eventLoop: loop, traceID: traceID, spanID: sampled ? nextSpanID(on: loop) : 0,
            parentSpanID: incoming?.spanID ?? 0, sampled: sampled, traceState: incoming?.traceState,
            rpcMethod: exchange.route?.method ?? "")
        if let state = incoming?.traceState { exchange.metadata.append(("tracestate", state)) }
    }

    /// The server span, written straight into the loop's export buffer (no ``SpanRecord``): its
    /// attributes in this order, the trace's events, a policy's refusal, the status.
    package func exchangeCompleted(_ exchange: PolicyExchange, outcome: ExchangeOutcome) {
        guard let trace = exchange.trace, trace.sampled, let loop = exchange.connection.eventLoop else { return }
        let head = exchange.head
        let method = head.method.rawValue
        let uri = head.uri
        let route = exchange.route
        let client = exchange.connection.text(of: exchange.resolvedClientAddress())
        let agent = head.headers.first(name: "user-agent")
        let end = trace.startUnixNano &+ UInt64(max(0, outcome.duration.nanoseconds))
        let refusal = outcome.status >= 400 ? outcome.decidedBy : nil
        exporter.withSpanWriter(on: loop) { writer in
            writer.spanHeader(
                traceID: trace.traceID, spanID: trace.spanID, parentSpanID: trace.parentSpanID, traceState: trace.traceState,
                name: route?.label ?? method, kind: .server, start: trace.startUnixNano, end: end)
            writer.attribute("http.request.method", method)
            // The target up to its query: `?` is ASCII, so the UTF-8 index is a valid String index.
            writer.attribute("url.path", uri[..<(uri.utf8.firstIndex(of: UInt8(ascii: "?")) ?? uri.endIndex)])
            writer.attribute("url.scheme", exchange.connection.scheme)
            writer.attribute("http.response.status_code", Int64(outcome.status))
            writer.attribute("network.protocol.version", literal: head.version.minor == 0 ? "1.0" : "1.1")
            writer.attribute("edge.request_id", exchange.requestID)
            if let route {
                writer.attribute("http.route", route.template)
                writer.attribute("rpc.method", route.method)
            }
            if let client { writer.attribute("client.address", client) }
            if let agent { writer.attribute("user_agent.original", agent) }
            if let code = outcome.grpcCode { writer.attribute("rpc.response.status_code", code.name) }
            if outcome.status >= 500 { writer.attribute("error.type", String(outcome.status)) }
            for event in trace.events { writer.event(event) }
            if let refusal {
                writer.event(SpanEvent(name: "policy.refused", timeUnixNano: SpanRecord.nowUnixNano(), attributes: [
                    ("edge.policy", .string(refusal)), ("edge.policy.reason", .string(exchange.refusalReason ?? "refused")),
                ]))
            }
            if outcome.status >= 500 { writer.status(.error(message: "HTTP \(outcome.status)")) }
        }
    }
}
