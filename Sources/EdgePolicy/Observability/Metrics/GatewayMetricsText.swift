import EdgeCore

/// The families read from the gateway's own counters at each scrape: the public listener's
/// connections (`listen.max_connections`), the in-flight caps (`max_in_flight`, `max_requests`)
/// and the global rate limiter's Redis.
package enum GatewayMetricsText {
    package static func write(
        connections: ListenerConnectionStats, overload: OverloadCounters, redis: RateLimitStats?, into writer: inout MetricsTextWriter
    ) {
        writer.family("edge_listener_connections", type: "gauge", help: "Connections open on the public listener")
        writer.sample("edge_listener_connections", [], connections.open)
        if let maximum = connections.maximum {
            writer.family("edge_listener_max_connections", type: "gauge", help: "The public listener's cap (listen.max_connections)")
            writer.sample("edge_listener_max_connections", [], maximum)
        }
        writer.family("edge_listener_connections_accepted_total", type: "counter", help: "Connections the public listener let in")
        writer.sample("edge_listener_connections_accepted_total", [], connections.accepted)
        writer.family(
            "edge_listener_connections_refused_total", type: "counter", help: "Connections closed at once because the listener was at its cap")
        writer.sample("edge_listener_connections_refused_total", [], connections.refused)

        let routes = overload.routes.sorted { $0.name < $1.name }
        if !routes.isEmpty {
            writer.family("edge_route_max_in_flight", type: "gauge", help: "A route's cap on exchanges in flight (max_in_flight)")
            for route in routes { writer.sample("edge_route_max_in_flight", [("route", route.name)], route.maximum) }
            writer.family("edge_route_in_flight_refused_total", type: "counter", help: "Requests refused (503) because their route was at its cap")
            for route in routes { writer.sample("edge_route_in_flight_refused_total", [("route", route.name)], route.refused) }
        }
        let clusters = overload.clusters.sorted { $0.name < $1.name }
        if !clusters.isEmpty {
            writer.family("edge_upstream_requests_in_flight", type: "gauge", help: "Calls and streams in flight on a capped cluster")
            for cluster in clusters { writer.sample("edge_upstream_requests_in_flight", [("cluster", cluster.name)], cluster.inFlight) }
            writer.family("edge_upstream_max_requests", type: "gauge", help: "A cluster's cap on calls in flight (max_requests)")
            for cluster in clusters { writer.sample("edge_upstream_max_requests", [("cluster", cluster.name)], cluster.maximum) }
            writer.family(
                "edge_upstream_requests_refused_total", type: "counter", help: "Calls refused (503) because their cluster was at its cap")
            for cluster in clusters { writer.sample("edge_upstream_requests_refused_total", [("cluster", cluster.name)], cluster.refused) }
        }

        guard let redis else { return }
        let calls = redis.redisCalls.load(ordering: .relaxed)
        writer.family("edge_rate_limit_redis_calls_total", type: "counter", help: "Redis round trips of the global rate limits")
        writer.sample("edge_rate_limit_redis_calls_total", [], calls)
        writer.family("edge_rate_limit_redis_call_seconds_total", type: "counter", help: "Time spent in those round trips (divide by the calls for the mean)")
        writer.sample("edge_rate_limit_redis_call_seconds_total", [], Double(redis.redisLatencyMicros.load(ordering: .relaxed)) / 1e6)
        writer.family("edge_rate_limit_redis_errors_total", type: "counter", help: "Redis round trips that failed or timed out")
        writer.sample("edge_rate_limit_redis_errors_total", [], redis.redisErrors.load(ordering: .relaxed))
        writer.family(
            "edge_rate_limit_failure_mode_decisions_total", type: "counter",
            help: "Global-limit decisions taken in the failure mode (local fallback or 503) because Redis was away")
        writer.sample("edge_rate_limit_failure_mode_decisions_total", [], redis.failureModeDecisions.load(ordering: .relaxed))
        writer.family(
            "edge_rate_limit_failure_mode_seconds_total", type: "counter",
            help: "Time the Redis circuit breakers spent open (summed over event loops), counted when they close")
        writer.sample("edge_rate_limit_failure_mode_seconds_total", [], Double(redis.failureModeMicros.load(ordering: .relaxed)) / 1e6)
    }
}
