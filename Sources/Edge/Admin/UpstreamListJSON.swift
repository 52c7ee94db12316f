import Foundation
import NIOCore
import EdgeCore
import EdgeUpstream

/// `GET /admin/upstreams`: per cluster, the circuit breaker, every endpoint's health and
/// ejection, and the connection counters.
///
/// `{"clusters":[{"name":"shop","circuit_breaker":{"enabled":true,"state":"closed",…},
/// "health_checks":true,"outlier_detection":true,"panic":false,
/// "endpoints":[{"address":"10.0.0.1:50051","health":"healthy","in_rotation":true,…}],
/// "stats":{"connections_opened":1,…}}]}`
package enum UpstreamListJSON {
    package static func write(_ clusters: [UpstreamClusterStatus], into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"clusters":["#)
        for (index, cluster) in clusters.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeStaticString(#"{"name":"#)
            JSONText.writeString(cluster.name, into: &buffer)
            let breaker = cluster.circuitBreaker
            buffer.writeStaticString(#","circuit_breaker":{"enabled":"#)
            writeBool(breaker.enabled, into: &buffer)
            buffer.writeStaticString(#","state":"#)
            JSONText.writeString(breaker.state, into: &buffer)
            buffer.writeStaticString(#","since":"#)
            writeDate(breaker.since, into: &buffer)
            writeInt("consecutive_failures", breaker.consecutiveFailures, into: &buffer)
            writeInt("window_requests", breaker.windowRequests, into: &buffer)
            writeInt("window_failures", breaker.windowFailures, into: &buffer)
            writeInt("times_opened", breaker.timesOpened, into: &buffer)
            writeInt("rejected_calls", breaker.rejectedCalls, into: &buffer)
            buffer.writeStaticString(#","retry_in_seconds":"#)
            writeSeconds(breaker.retryInSeconds, into: &buffer)
            buffer.writeStaticString(#"},"health_checks":"#)
            writeBool(cluster.healthChecks, into: &buffer)
            buffer.writeStaticString(#","outlier_detection":"#)
            writeBool(cluster.outlierDetection, into: &buffer)
            buffer.writeStaticString(#","panic":"#)
            writeBool(cluster.panic, into: &buffer)
            buffer.writeStaticString(#","endpoints":["#)
            for (endpointIndex, endpoint) in cluster.endpoints.enumerated() {
                if endpointIndex > 0 { buffer.writeStaticString(",") }
                writeEndpoint(endpoint, into: &buffer)
            }
            let stats = cluster.stats
            buffer.writeStaticString(#"],"stats":{"attempts":"#)
            buffer.writeString(String(stats.attempts))
            writeInt("retries", stats.retries, into: &buffer)
            writeInt("connections_opened", stats.connectionsOpened, into: &buffer)
            writeInt("connect_failures", stats.connectFailures, into: &buffer)
            writeInt("connections_closed", stats.connectionsClosed, into: &buffer)
            writeInt("goaways_received", stats.goAwaysReceived, into: &buffer)
            writeInt("pings_received", stats.pingsReceived, into: &buffer)
            buffer.writeStaticString("}}")
        }
        buffer.writeStaticString("]}")
    }

    private static func writeEndpoint(_ endpoint: UpstreamEndpointStatus, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"address":"#)
        JSONText.writeString(endpoint.address, into: &buffer)
        buffer.writeStaticString(#","health":"#)
        JSONText.writeString(endpoint.health, into: &buffer)
        buffer.writeStaticString(#","in_rotation":"#)
        writeBool(endpoint.inRotation, into: &buffer)
        buffer.writeStaticString(#","last_check":"#)
        if let lastCheck = endpoint.lastCheck { writeDate(lastCheck, into: &buffer) } else { buffer.writeStaticString("null") }
        buffer.writeStaticString(#","last_error":"#)
        if let lastError = endpoint.lastError { JSONText.writeString(lastError, into: &buffer) } else { buffer.writeStaticString("null") }
        buffer.writeStaticString(#","ejected":"#)
        writeBool(endpoint.ejected, into: &buffer)
        buffer.writeStaticString(#","ejected_for_seconds":"#)
        writeSeconds(endpoint.ejectedForSeconds, into: &buffer)
        writeInt("ejections", endpoint.ejections, into: &buffer)
        writeInt("consecutive_failures", endpoint.consecutiveFailures, into: &buffer)
        buffer.writeStaticString("}")
    }

    private static func writeInt(_ name: StaticString, _ value: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(",\"")
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
        buffer.writeString(String(value))
    }

    private static func writeBool(_ value: Bool, into buffer: inout ByteBuffer) {
        if value { buffer.writeStaticString("true") } else { buffer.writeStaticString("false") }
    }

    /// Seconds with millisecond precision, or null.
    private static func writeSeconds(_ value: Double?, into buffer: inout ByteBuffer) {
        guard let value else {
            buffer.writeStaticString("null")
            return
        }
        let millis = Int((max(0, value) * 1000).rounded())
        buffer.writeString("\(millis / 1000).\(String(millis % 1000 + 1000).dropFirst())")
    }

    /// RFC 3339 in UTC with milliseconds.
    private static func writeDate(_ date: Date, into buffer: inout ByteBuffer) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        JSONText.writeString(formatter.string(from: date), into: &buffer)
    }
}
