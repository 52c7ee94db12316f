import NIOCore
import Prometheus

/// One connection's handles on the metrics it has used, so that recording a
/// request costs no registry lock or label allocation after the first time.
/// Owned by one connection handler, used on its event loop only.
struct MetricsCache {
    private struct Route {
        var latency: DurationHistogram
        var counters: [UInt: Counter]
    }

    let metrics: EdgeMetrics
    private var routes: [String: Route] = [:]

    init(metrics: EdgeMetrics) { self.metrics = metrics }

    /// At most this many routes are remembered per connection (labels are bounded, but be safe).
    private static let maxRoutes = 256

    mutating func recordRequest(route label: String, status: UInt, duration: TimeAmount) {
        var route = routes[label] ?? Route(latency: metrics.latency(route: label), counters: [:])
        let counter = route.counters[status] ?? metrics.requestCounter(route: label, status: status)
        if route.counters[status] == nil {
            route.counters[status] = counter
            if routes[label] != nil || routes.count < Self.maxRoutes { routes[label] = route }
        }
        counter.increment()
        route.latency.recordNanoseconds(duration.nanoseconds)
    }
}
