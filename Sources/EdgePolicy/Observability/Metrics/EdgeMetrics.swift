import NIOConcurrencyHelpers
import NIOCore

/// The edge's request metrics, exposed in the Prometheus text format by the admin
/// listener's `GET /metrics` (see docs/observability.md for every family).
///
/// Recording happens on the connection's event loop into that loop's ``MetricsShard``
/// (no lock contention between loops, no registry look-up: one dictionary access by the
/// route's label); a scrape adds the shards up. Labels are bounded: the route's template
/// (never the raw path), the gRPC method, statuses, cluster, policy and limit names.
///
/// It is an ``ExchangeObserver`` of every exchange the server sees — routed, refused by a
/// policy, unmatched, malformed — registered with the server rather than per route, so the
/// edge's own refusals before routing count too.
public final class EdgeMetrics: ExchangeObserver, Sendable {
    private let loops: [(id: ObjectIdentifier, shard: MetricsShard)]
    /// For loops not given at init (tests, embedded channels).
    private let other = MetricsShard()
    private let collectors = NIOLockedValueBox<[(name: String, write: @Sendable (inout MetricsTextWriter) -> Void)]>([])

    /// - Parameter eventLoops: the serving loops, each with its own shard.
    public init(eventLoops: [any EventLoop] = []) {
        self.loops = eventLoops.map { (ObjectIdentifier($0), MetricsShard()) }
    }

    public convenience init(group: any EventLoopGroup) {
        self.init(eventLoops: Array(group.makeIterator()))
    }

    package func shard(for loop: (any EventLoop)?) -> MetricsShard {
        if let loop {
            let id = ObjectIdentifier(loop)
            for entry in loops where entry.id == id { return entry.shard }
        }
        return other
    }

    /// Adds (or replaces, by `name`) a writer of more families at the end of every scrape:
    /// the access log's and the tracer's own counters, the rate limiter's.
    public func setCollector(_ name: String, _ write: @escaping @Sendable (inout MetricsTextWriter) -> Void) {
        collectors.withLockedValue { list in
            list.removeAll { $0.name == name }
            list.append((name, write))
        }
    }

    // MARK: - Recording

    public func exchangeStarted(_ exchange: inout PolicyExchange) {
        guard let route = exchange.route else { return }
        let shard = shard(for: exchange.connection.eventLoop)
        exchange.metricsSlot = shard.withLock { _ in
            let slot = shard.slot(route.label, grpcMethod: route.method)
            slot.series.inFlight += 1
            return slot
        }
    }

    public func exchangeCompleted(_ exchange: PolicyExchange, outcome: ExchangeOutcome) {
        let routed = exchange.route != nil
        let shard = shard(for: exchange.connection.eventLoop)
        shard.withLock { values in
            let slot = exchange.metricsSlot as? MetricsShard.RouteSlot ?? shard.slot(outcome.label, grpcMethod: exchange.route?.method ?? "")
            Self.record(outcome, routed: routed && exchange.metricsSlot != nil, into: &slot.series)
            if let upstream = outcome.upstream {
                values.clusters[upstream.cluster, default: .init()].record(
                    code: outcome.grpcCode ?? .unknown, duration: upstream.attempts > 0 ? upstream.duration : nil)
            }
            if let policy = outcome.decidedBy, outcome.status >= 400 {
                values.refusals[.init(first: policy, second: exchange.refusalReason ?? "refused"), default: 0] &+= 1
            }
            if exchange.corsRejected { values.corsRejections[outcome.label, default: 0] &+= 1 }
            for decision in exchange.rateLimitDecisions {
                values.rateLimitDecisions[.init(first: decision.limit, second: decision.decision.label), default: 0] &+= 1
            }
        }
    }

    private static func record(_ outcome: ExchangeOutcome, routed: Bool, into series: inout MetricsShard.RouteSeries) {
        if routed { series.inFlight -= 1 }
        series.countResponse(.init(status: outcome.status, grpcCode: outcome.grpcCode?.rawValue ?? -1))
        series.duration.record(outcome.duration.nanoseconds)
        if let upstream = outcome.upstream, upstream.attempts > 0 { series.upstream.record(upstream.duration.nanoseconds) }
        series.requestBytes.record(Int64(outcome.bytesIn))
        series.responseBytes.record(Int64(outcome.bytesOut))
        if let stream = outcome.stream {
            series.streamsOpened &+= 1
            series.messagesIn &+= UInt64(stream.messagesIn)
            series.messagesOut &+= UInt64(stream.messagesOut)
            let end = outcome.status == ExchangeOutcome.clientClosedStatus ? "CLIENT_CLOSED" : (outcome.grpcCode ?? .ok).name
            series.streamEnds[end, default: 0] &+= 1
        }
    }

    // MARK: - Reading

    /// Every shard added up.
    package func merged() -> MetricsShard.Values {
        var total = other.snapshot
        for entry in loops { total.merge(entry.shard.snapshot) }
        return total
    }

    /// The Prometheus text exposition format (0.0.4).
    public func render() -> [UInt8] {
        var writer = MetricsTextWriter()
        RequestMetricsText.write(merged(), into: &writer)
        for collector in collectors.withLockedValue({ $0 }) { collector.write(&writer) }
        return writer.bytes
    }
}
