import NIOCore

/// `observability:` — the access log and tracing (metrics are always on, on the admin
/// listener's `/metrics`). Plain values; the server's telemetry is built from them.
public struct ObservabilityConfig: Sendable, Equatable {
    public var accessLog: AccessLogConfig?
    public var tracing: TracingConfig?

    public init(accessLog: AccessLogConfig? = nil, tracing: TracingConfig? = nil) {
        self.accessLog = accessLog
        self.tracing = tracing
    }
}

/// `observability.access_log`: one line per exchange.
public struct AccessLogConfig: Sendable, Equatable {
    /// `stdout`, or a file path (appended to; reopened on SIGUSR1 and on reload).
    public var path: String
    /// `json` or `text`.
    public var format: String = "json"
    /// The fields written, in this order; `nil`: all of them.
    public var fields: [String]?
    /// The fraction of successful exchanges written (errors are always written).
    public var sampling: Double = 1
    /// Only exchanges that failed (HTTP status ≥ 400 or a gRPC code other than OK).
    public var errorsOnly = false
    /// How many bytes of lines may wait for the sink before lines are dropped (and counted).
    public var bufferBytes: Int = 4 << 20

    public init(path: String) { self.path = path }
}

/// `observability.tracing`: W3C trace context, spans exported over OTLP/HTTP.
public struct TracingConfig: Sendable, Equatable {
    /// The collector's base URL (`http://127.0.0.1:4318`); spans are posted to `<endpoint>/v1/traces`.
    public var otlpEndpoint: String
    /// The ratio of new traces sampled (an incoming `traceparent`'s sampled flag is honoured).
    public var sampling: Double = 1
    public var serviceName = "edge"
    /// Spans waiting for export before new ones are dropped (and counted).
    public var maxQueueSpans = 8192
    /// Spans per export request.
    public var maxBatchSpans = 512
    /// How often a partly filled batch is sent.
    public var flushInterval: TimeAmount = .seconds(1)
    /// One export request's timeout.
    public var timeout: TimeAmount = .seconds(5)

    public init(otlpEndpoint: String) { self.otlpEndpoint = otlpEndpoint }
}
