import NIOCore
import EdgeUpstream

/// The upstream side of `GET /metrics`, read from the same snapshot as
/// `GET /admin/upstreams` when scraped (as Envoy's cluster stats): per cluster the
/// circuit breaker's state (one-hot over `closed`/`open`/`half_open`), how often it
/// opened and how many calls it turned away, panic mode and the connection counters;
/// per endpoint its health (one-hot over `healthy`/`unhealthy`/`unknown`), whether it
/// takes calls, whether it is ejected and how often it was. Counters restart when a
/// reload replaces a cluster's pool (Prometheus treats that as a counter reset).
package enum UpstreamMetricsText {
    private static let breakerStates = ["closed", "open", "half_open"]
    private static let healthStates = ["healthy", "unhealthy", "unknown"]

    package static func write(_ clusters: [UpstreamClusterStatus], into buffer: inout ByteBuffer) {
        guard !clusters.isEmpty else { return }
        family("edge_upstream_circuit_breaker_state", "gauge", "Circuit breaker state per cluster (1 for the current state)", &buffer) {
            for cluster in clusters where cluster.circuitBreaker.enabled {
                for state in breakerStates {
                    sample(&$0, [("cluster", cluster.name), ("state", state)], cluster.circuitBreaker.state == state ? 1 : 0)
                }
            }
        }
        counter("edge_upstream_circuit_breaker_opened_total", "Times the circuit breaker opened", clusters, &buffer) {
            $0.circuitBreaker.timesOpened
        }
        counter("edge_upstream_circuit_breaker_rejected_total", "Calls turned away while the circuit breaker was open", clusters, &buffer) {
            $0.circuitBreaker.rejectedCalls
        }
        family("edge_upstream_panic", "gauge", "1 while no endpoint of the cluster is in rotation (calls go to all of them)", &buffer) {
            for cluster in clusters { sample(&$0, [("cluster", cluster.name)], cluster.panic ? 1 : 0) }
        }
        counter("edge_upstream_attempts_total", "Upstream call attempts", clusters, &buffer) { $0.stats.attempts }
        counter("edge_upstream_retries_total", "Upstream call attempts that were retries", clusters, &buffer) { $0.stats.retries }
        counter("edge_upstream_connections_opened_total", "HTTP/2 connections opened to the cluster", clusters, &buffer) {
            $0.stats.connectionsOpened
        }
        counter("edge_upstream_connect_failures_total", "Connection attempts that failed", clusters, &buffer) { $0.stats.connectFailures }
        counter("edge_upstream_connections_closed_total", "HTTP/2 connections closed", clusters, &buffer) { $0.stats.connectionsClosed }
        counter("edge_upstream_goaways_received_total", "GOAWAY frames received", clusters, &buffer) { $0.stats.goAwaysReceived }

        family("edge_upstream_endpoint_health", "gauge", "Active health check state per endpoint (1 for the current state)", &buffer) {
            for cluster in clusters {
                for endpoint in cluster.endpoints {
                    for state in healthStates {
                        sample(
                            &$0, [("cluster", cluster.name), ("endpoint", endpoint.address), ("state", state)],
                            endpoint.health == state ? 1 : 0)
                    }
                }
            }
        }
        endpointFamily("edge_upstream_endpoint_in_rotation", "gauge", "1 while the endpoint takes calls (not unhealthy, not ejected)", clusters, &buffer) {
            $0.inRotation ? 1 : 0
        }
        endpointFamily("edge_upstream_endpoint_ejected", "gauge", "1 while outlier detection keeps the endpoint out", clusters, &buffer) {
            $0.ejected ? 1 : 0
        }
        endpointFamily("edge_upstream_endpoint_ejections_total", "counter", "Times outlier detection ejected the endpoint", clusters, &buffer) {
            $0.ejections
        }
    }

    // MARK: - Text format

    private static func family(_ name: String, _ type: String, _ help: String, _ buffer: inout ByteBuffer, _ samples: (inout Lines) -> Void) {
        var lines = Lines(name: name)
        samples(&lines)
        guard !lines.text.isEmpty else { return }
        buffer.writeString("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
        buffer.writeString(lines.text)
    }

    private static func counter(
        _ name: String, _ help: String, _ clusters: [UpstreamClusterStatus], _ buffer: inout ByteBuffer,
        _ value: (UpstreamClusterStatus) -> Int
    ) {
        family(name, "counter", help, &buffer) {
            for cluster in clusters { sample(&$0, [("cluster", cluster.name)], value(cluster)) }
        }
    }

    private static func endpointFamily(
        _ name: String, _ type: String, _ help: String, _ clusters: [UpstreamClusterStatus], _ buffer: inout ByteBuffer,
        _ value: (UpstreamEndpointStatus) -> Int
    ) {
        family(name, type, help, &buffer) {
            for cluster in clusters {
                for endpoint in cluster.endpoints { sample(&$0, [("cluster", cluster.name), ("endpoint", endpoint.address)], value(endpoint)) }
            }
        }
    }

    private static func sample(_ lines: inout Lines, _ labels: [(String, String)], _ value: Int) {
        lines.text += lines.name + "{"
        for (index, (label, labelValue)) in labels.enumerated() {
            if index > 0 { lines.text += "," }
            lines.text += label + "=\"" + escape(labelValue) + "\""
        }
        lines.text += "} \(value)\n"
    }

    /// Label values escape backslash, double quote and line feed (the exposition format's rule).
    package static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            return value
        }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private struct Lines {
        let name: String
        var text = ""
    }
}
