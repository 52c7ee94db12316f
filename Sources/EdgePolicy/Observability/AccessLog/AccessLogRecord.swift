#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One exchange, as the access log sees it. Built by the server on the event loop when
/// the exchange completes and passed to ``AccessLog/log(_:on:)``, which formats it at once.
///
/// Strings are the ones the server already holds (route label, method, the request
/// target, header values); nothing here needs a per-field allocation. The record has no
/// place for a token, key or header dump: secrets cannot reach the log.
public struct AccessLogRecord: Sendable {
    /// When the exchange started (its request head arrived), wall clock, nanoseconds since 1970 UTC.
    public var timeUnixNanos: Int64
    public var requestID: String?
    public var traceID: String?
    /// The client's IP address (after trusted-proxy rules). Best made once per connection.
    public var clientAddress: String?
    public var consumer: String?
    public var subject: String?
    /// `HTTP/1.1`, `HTTP/2`.
    public var httpProtocol: String?
    public var method: String
    /// The request target as received (`HTTPRequestHead.uri`, `:path`). Everything from the
    /// first `?` on is never written: query strings can carry keys.
    public var path: String
    /// The matched route's template label.
    public var route: String?
    public var grpcMethod: String?
    public var upstreamCluster: String?
    public var status: Int
    public var grpcCode: Int?
    public var bytesIn: Int
    public var bytesOut: Int
    /// From the request head's arrival to the response's last byte.
    public var durationNanos: Int64
    /// Time in upstream calls, all attempts; `nil` when no upstream was called.
    public var upstreamDurationNanos: Int64?
    public var retries: Int
    /// The policy that refused the request, if one did.
    public var refusedBy: String?
    public var userAgent: String?

    public init(
        timeUnixNanos: Int64, requestID: String? = nil, traceID: String? = nil, clientAddress: String? = nil,
        consumer: String? = nil, subject: String? = nil, httpProtocol: String? = nil, method: String, path: String,
        route: String? = nil, grpcMethod: String? = nil, upstreamCluster: String? = nil, status: Int,
        grpcCode: Int? = nil, bytesIn: Int = 0, bytesOut: Int = 0, durationNanos: Int64,
        upstreamDurationNanos: Int64? = nil, retries: Int = 0, refusedBy: String? = nil, userAgent: String? = nil
    ) {
        self.timeUnixNanos = timeUnixNanos
        self.requestID = requestID
        self.traceID = traceID
        self.clientAddress = clientAddress
        self.consumer = consumer
        self.subject = subject
        self.httpProtocol = httpProtocol
        self.method = method
        self.path = path
        self.route = route
        self.grpcMethod = grpcMethod
        self.upstreamCluster = upstreamCluster
        self.status = status
        self.grpcCode = grpcCode
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.durationNanos = durationNanos
        self.upstreamDurationNanos = upstreamDurationNanos
        self.retries = retries
        self.refusedBy = refusedBy
        self.userAgent = userAgent
    }

    /// An error for `errors_only` and sampling: HTTP status >= 400 or a gRPC code other than OK.
    public var isError: Bool {
        status >= 400 || (grpcCode ?? 0) != 0
    }

    /// The wall clock now, nanoseconds since 1970 UTC (for ``timeUnixNanos``; no Foundation).
    public static func wallClockNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
