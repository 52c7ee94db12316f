/// One piece of an access-log line. The raw value is the JSON key (and the name
/// used to select fields); `AccessLogSettings.fields` lists them in output order.
///
/// Durations are milliseconds with microsecond precision (`"duration_ms":1.234`),
/// hence the `_ms` in their names.
public enum AccessLogField: String, CaseIterable, Sendable {
    /// When the exchange started: RFC 3339, UTC, milliseconds (`2026-12-06T05:45:04.123Z`).
    case time
    case request_id
    case trace_id
    case client_address
    /// The authenticated consumer (API key owner, JWT `sub` mapped to a consumer), when known.
    case consumer
    /// The authenticated subject (JWT `sub`, mTLS certificate subject), when known.
    case subject
    /// `HTTP/1.1`, `HTTP/2`.
    case `protocol`
    case method
    /// The path as received, never the query string (which can carry keys).
    case path
    /// The matched route's template label (`GET /v1/shelves/{shelf}`).
    case route
    /// The gRPC method called (`/bookstore.Bookstore/GetShelf`).
    case grpc_method
    case upstream_cluster
    /// The HTTP status sent to the client.
    case status
    /// The upstream's gRPC status code (an integer; the text format names it).
    case grpc_code
    /// Request body bytes received from the client.
    case bytes_in
    /// Response body bytes sent to the client.
    case bytes_out
    /// From the request head's arrival to the response's last byte, in milliseconds.
    case duration_ms
    /// Time spent in upstream calls (all attempts), in milliseconds.
    case upstream_duration_ms
    /// Upstream attempts after the first.
    case retries
    /// The policy that refused the request (`jwt`, `ip_rules`, `rate_limit`...), if one did.
    case refused_by
    case user_agent
}
