import EdgeCore

/// The request-side families of `GET /metrics`, from the shards added up. Series are
/// sorted (route, then the other labels) so that a scrape reads the same every time.
package enum RequestMetricsText {
    package static func write(_ values: MetricsShard.Values, into writer: inout MetricsTextWriter) {
        let routes = values.routes.sorted { $0.key < $1.key }
        func labels(_ label: String, _ series: MetricsShard.RouteSeries) -> [(String, String)] {
            [("route", label), ("grpc_method", series.grpcMethod)]
        }

        writer.family("edge_http_requests_total", type: "counter", help: "HTTP exchanges by route, gRPC method, HTTP status and gRPC code")
        for (label, series) in routes {
            for (key, count) in series.responses.sorted(by: { ($0.key.status, $0.key.grpcCode) < ($1.key.status, $1.key.grpcCode) }) {
                let code = GRPCStatusCode(rawValue: key.grpcCode)?.name ?? ""
                writer.sample(
                    "edge_http_requests_total", labels(label, series) + [("status", String(key.status)), ("grpc_code", code)], count)
            }
        }
        writer.family("edge_http_requests_in_flight", type: "gauge", help: "HTTP exchanges read but not yet answered, by route")
        for (label, series) in routes where series.inFlight != 0 || !series.responses.isEmpty {
            writer.sample("edge_http_requests_in_flight", labels(label, series), max(0, series.inFlight))
        }
        writer.family("edge_http_request_duration_seconds", type: "histogram", help: "Time from the request head to the end of the response, by route")
        for (label, series) in routes where series.duration.count > 0 {
            writer.histogram("edge_http_request_duration_seconds", labels(label, series), series.duration, scale: 1e9)
        }
        writer.family(
            "edge_http_request_upstream_duration_seconds", type: "histogram",
            help: "Time spent in the upstream call (all attempts and backoffs) of exchanges that made one, by route")
        for (label, series) in routes where series.upstream.count > 0 {
            writer.histogram("edge_http_request_upstream_duration_seconds", labels(label, series), series.upstream, scale: 1e9)
        }
        writer.family("edge_http_request_body_bytes", type: "histogram", help: "Request body sizes, by route")
        for (label, series) in routes where series.requestBytes.count > 0 {
            writer.histogram("edge_http_request_body_bytes", labels(label, series), series.requestBytes, scale: 1)
        }
        writer.family("edge_http_response_body_bytes", type: "histogram", help: "Response body sizes, by route")
        for (label, series) in routes where series.responseBytes.count > 0 {
            writer.histogram("edge_http_response_body_bytes", labels(label, series), series.responseBytes, scale: 1)
        }

        let streamed = routes.filter { $0.value.streamsOpened > 0 }
        writer.family("edge_streams_opened_total", type: "counter", help: "Streamed exchanges (streaming routes, WebSocket sessions) that ran, by route")
        for (label, series) in streamed { writer.sample("edge_streams_opened_total", labels(label, series), series.streamsOpened) }
        writer.family("edge_stream_messages_total", type: "counter", help: "Messages of streamed exchanges, by route and direction (in: from the client)")
        for (label, series) in streamed {
            writer.sample("edge_stream_messages_total", labels(label, series) + [("direction", "in")], series.messagesIn)
            writer.sample("edge_stream_messages_total", labels(label, series) + [("direction", "out")], series.messagesOut)
        }
        writer.family("edge_streams_ended_total", type: "counter", help: "Streamed exchanges by how they ended: the gRPC code, or CLIENT_CLOSED")
        for (label, series) in streamed {
            for (end, count) in series.streamEnds.sorted(by: { $0.key < $1.key }) {
                writer.sample("edge_streams_ended_total", labels(label, series) + [("end", end)], count)
            }
        }

        let clusters = values.clusters.sorted { $0.key < $1.key }
        writer.family("edge_upstream_calls_total", type: "counter", help: "Upstream calls by cluster and final gRPC code (retries inside one call count once)")
        for (name, series) in clusters {
            for (code, count) in series.calls.sorted(by: { $0.key < $1.key }) {
                writer.sample("edge_upstream_calls_total", [("cluster", name), ("grpc_code", GRPCStatusCode(rawValue: code)?.name ?? String(code))], count)
            }
        }
        writer.family("edge_upstream_call_duration_seconds", type: "histogram", help: "Upstream call time (all attempts and backoffs), by cluster")
        for (name, series) in clusters where series.duration.count > 0 {
            writer.histogram("edge_upstream_call_duration_seconds", [("cluster", name)], series.duration, scale: 1e9)
        }

        let refusals = values.refusals.sorted { ($0.key.first, $0.key.second) < ($1.key.first, $1.key.second) }
        writer.family("edge_policy_refusals_total", type: "counter", help: "Requests a policy refused, by policy and reason")
        for (key, count) in refusals { writer.sample("edge_policy_refusals_total", [("policy", key.first), ("reason", key.second)], count) }
        writer.family("edge_auth_failures_total", type: "counter", help: "Requests refused by authentication or authorization, by reason")
        for (key, count) in refusals where key.first == "auth" { writer.sample("edge_auth_failures_total", [("reason", key.second)], count) }
        writer.family("edge_cors_rejections_total", type: "counter", help: "Requests whose Origin CORS does not allow (no CORS headers; preflights refused), by route")
        for (label, count) in values.corsRejections.sorted(by: { $0.key < $1.key }) {
            writer.sample("edge_cors_rejections_total", [("route", label)], count)
        }
        writer.family("edge_rate_limit_decisions_total", type: "counter", help: "Rate-limit decisions by limit: allowed, rejected, shadow_rejected")
        for (key, count) in values.rateLimitDecisions.sorted(by: { ($0.key.first, $0.key.second) < ($1.key.first, $1.key.second) }) {
            writer.sample("edge_rate_limit_decisions_total", [("limit", key.first), ("decision", key.second)], count)
        }
    }
}
