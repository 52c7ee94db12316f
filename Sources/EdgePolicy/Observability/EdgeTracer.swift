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

    package func export(_ span: SpanRecord, on loop: (any EventLoop)?) {
        guard let loop else { return }
        exporter.export(span, on: loop)
    }

    package func exchangeStarted(_ exchange: inout PolicyExchange) {
        let headers = exchange.head.headers
        let incoming = TraceContext.parse(traceparent: headers.first(name: "traceparent"), tracestate: headers.first(name: "tracestate"))
        let loop = exchange.connection.eventLoop
        let traceID = incoming?.traceID ?? nextTraceID(on: loop)
        let sampler = exchange.route?.traceSampling.map(TraceSampler.init(ratio:)) ?? self.sampler
        let sampled = sampler.samples(parent: incoming, traceID: traceID)
        guard sampled || incoming != nil else { return }
        exchange.trace = ExchangeTrace(
            tracer: self, eventLoop: loop, traceID: traceID, spanID: sampled ? nextSpanID(on: loop) : 0,
            parentSpanID: incoming?.spanID ?? 0, sampled: sampled, traceState: incoming?.traceState,
            rpcMethod: exchange.route?.method ?? "")
        if let state = incoming?.traceState { exchange.metadata.append(("tracestate", state)) }
    }

    package func exchangeCompleted(_ exchange: PolicyExchange, outcome: ExchangeOutcome) {
        guard let trace = exchange.trace, trace.sampled else { return }
        var exchange = exchange
        let head = exchange.head
        let method = head.method.rawValue
        let path = head.uri.firstIndex(of: "?").map { String(head.uri[..<$0]) } ?? head.uri
        var attributes: [(key: String, value: SpanAttributeValue)] = [
            ("http.request.method", .string(method)), ("url.path", .string(path)), ("url.scheme", .string(exchange.connection.scheme)),
            ("http.response.status_code", .int(Int64(outcome.status))),
            ("network.protocol.version", .string(head.version.minor == 0 ? "1.0" : "1.1")),
            ("edge.request_id", .string(exchange.requestID)),
        ]
        var name = method
        if let route = exchange.route {
            attributes.append(("http.route", .string(route.template)))
            attributes.append(("rpc.method", .string(route.method)))
            name = route.label
        }
        if let client = exchange.connection.text(of: exchange.clientAddress()) { attributes.append(("client.address", .string(client))) }
        if let agent = head.headers.first(name: "user-agent") { attributes.append(("user_agent.original", .string(agent))) }
        if let code = outcome.grpcCode { attributes.append(("rpc.response.status_code", .string(code.name))) }
        var status = SpanRecord.Status.unset
        if outcome.status >= 500 {
            attributes.append(("error.type", .string(String(outcome.status))))
            status = .error(message: "HTTP \(outcome.status)")
        }
        var events = trace.events
        if let policy = outcome.decidedBy, outcome.status >= 400 {
            events.append(SpanEvent(name: "policy.refused", timeUnixNano: SpanRecord.nowUnixNano(), attributes: [
                ("edge.policy", .string(policy)), ("edge.policy.reason", .string(exchange.refusalReason ?? "refused")),
            ]))
        }
        let end = trace.startUnixNano &+ UInt64(max(0, outcome.duration.nanoseconds))
        export(
            SpanRecord(
                traceID: trace.traceID, spanID: trace.spanID, parentSpanID: trace.parentSpanID, name: name, kind: .server,
                startUnixNano: trace.startUnixNano, endUnixNano: end, attributes: attributes, events: events, status: status,
                traceState: trace.traceState),
            on: exchange.connection.eventLoop)
    }
}
