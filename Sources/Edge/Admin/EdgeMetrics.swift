import NIOCore
import Prometheus

/// The edge's Prometheus metrics: requests by route and status, latency by
/// route, upstream errors by route and gRPC code. Rendered by `GET /metrics`.
///
/// Uses its own registry (not the global `MetricsSystem`), so several servers
/// in one process (tests) do not share counters.
public final class EdgeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    public func recordRequest(route: String, status: UInt, duration: TimeAmount) {
        requestCounter(route: route, status: status).increment()
        latency(route: route).recordNanoseconds(duration.nanoseconds)
    }

    /// The counter of one route and status; callers on the request path keep it (see ``MetricsCache``).
    public func requestCounter(route: String, status: UInt) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "edge_http_requests", unitName: "total", helpText: "HTTP requests by route and status"),
            labels: [("route", route), ("status", String(status))])
    }

    public func latency(route: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "edge_http_request_duration", unitName: "seconds", helpText: "HTTP request latency by route"),
            labels: [("route", route)],
            buckets: Self.buckets)
    }

    public func recordUpstreamError(route: String, code: GRPCStatusCode) {
        registry.makeCounter(
            descriptor: .init(metricName: "edge_upstream_errors", unitName: "total", helpText: "Upstream calls that ended with a non-OK gRPC status"),
            labels: [("route", route), ("code", String(describing: code))]
        ).increment()
    }

    /// Prometheus text exposition format.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
