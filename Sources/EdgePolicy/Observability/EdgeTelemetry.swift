import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import EdgeConfig

/// What the edge tells about its traffic, for the whole process: the metrics (every
/// exchange, on the admin listener's `/metrics`), and the sinks of `observability` — the
/// access log and the span exporter — that outlive configuration reloads.
///
/// Each gateway snapshot asks for its observers (``observers(for:)``): a sink whose
/// settings did not change is kept (an access log is reopened, for rotation), one that
/// changed is replaced and the old one flushed and closed in the background.
public final class EdgeTelemetry: Sendable {
    public let metrics: EdgeMetrics
    private let group: any EventLoopGroup
    private let eventLoops: [any EventLoop]
    private let logger: Logger

    private struct Sinks: Sendable {
        var accessLog: (config: AccessLogConfig, log: AccessLog)?
        var tracer: (config: TracingConfig, tracer: EdgeTracer)?
    }

    private let sinks = NIOLockedValueBox(Sinks())

    public init(group: any EventLoopGroup, metrics: EdgeMetrics? = nil, logger: Logger = Logger(label: "edge")) {
        self.group = group
        self.eventLoops = Array(group.makeIterator())
        self.metrics = metrics ?? EdgeMetrics(eventLoops: eventLoops)
        self.logger = logger
    }

    /// The chain observers for `config`: the access log's and the tracer's, made or kept.
    /// Throws when a sink cannot be opened (the configuration is then refused).
    public func observers(for config: ObservabilityConfig) throws -> [any ExchangeObserver] {
        var observers: [any ExchangeObserver] = []
        if let tracing = config.tracing { observers.append(try tracer(for: tracing)) } else { retireTracer() }
        if let accessLog = config.accessLog { observers.append(AccessLogObserver(log: try log(for: accessLog))) } else { retireAccessLog() }
        return observers
    }

    private func log(for config: AccessLogConfig) throws -> AccessLog {
        if let current = sinks.withLockedValue({ $0.accessLog }), current.config == config {
            current.log.reopen()
            return current.log
        }
        let settings = AccessLogSettings(
            destination: config.path == "stdout" ? .stdout : .file(config.path), format: config.format == "text" ? .text : .json,
            fields: config.fields?.compactMap(AccessLogField.init(rawValue:)), sampling: config.sampling, errorsOnly: config.errorsOnly,
            bufferBytes: config.bufferBytes)
        let log = try AccessLog(settings: settings, eventLoops: eventLoops, logger: logger)
        let old = sinks.withLockedValue { sinks in
            defer { sinks.accessLog = (config, log) }
            return sinks.accessLog?.log
        }
        if let old { retire(old) }
        metrics.setCollector("access_log") { writer in
            writer.family("edge_access_log_lines_written_total", type: "counter", help: "Access-log lines written")
            writer.sample("edge_access_log_lines_written_total", [], log.linesWritten)
            writer.family(
                "edge_access_log_lines_dropped_total", type: "counter",
                help: "Access-log lines dropped because the sink could not keep up (serving never waits)")
            writer.sample("edge_access_log_lines_dropped_total", [], log.linesDropped)
        }
        return log
    }

    private func tracer(for config: TracingConfig) throws -> EdgeTracer {
        if let current = sinks.withLockedValue({ $0.tracer }), current.config == config { return current.tracer }
        var settings = try TracingExportSettings(otlpEndpoint: config.otlpEndpoint, serviceName: config.serviceName)
        settings.maxQueueSpans = config.maxQueueSpans
        settings.maxBatchSpans = config.maxBatchSpans
        settings.flushInterval = config.flushInterval
        settings.requestTimeout = config.timeout
        let exporter = SpanExporter(settings: settings, eventLoops: eventLoops, logger: logger)
        let tracer = EdgeTracer(exporter: exporter, sampling: config.sampling, eventLoops: eventLoops)
        let old = sinks.withLockedValue { sinks in
            defer { sinks.tracer = (config, tracer) }
            return sinks.tracer?.tracer
        }
        if let old { _ = old.exporter.shutdown() }
        metrics.setCollector("tracing") { writer in
            writer.family("edge_tracing_spans_exported_total", type: "counter", help: "Spans the OTLP collector accepted")
            writer.sample("edge_tracing_spans_exported_total", [], exporter.spansExported)
            writer.family(
                "edge_tracing_spans_dropped_total", type: "counter",
                help: "Spans dropped because the export queue was full or the collector refused them")
            writer.sample("edge_tracing_spans_dropped_total", [], exporter.spansDropped)
            writer.family("edge_tracing_export_failures_total", type: "counter", help: "OTLP export requests that failed")
            writer.sample("edge_tracing_export_failures_total", [], exporter.exportFailures)
        }
        return tracer
    }

    private func retireAccessLog() {
        if let old = sinks.withLockedValue({ sinks in defer { sinks.accessLog = nil }; return sinks.accessLog?.log }) { retire(old) }
    }

    private func retireTracer() {
        if let old = sinks.withLockedValue({ sinks in defer { sinks.tracer = nil }; return sinks.tracer?.tracer }) {
            _ = old.exporter.shutdown()
        }
    }

    /// Closes an access log the configuration no longer uses, off the event loops.
    private func retire(_ log: AccessLog) {
        Task.detached { try? await NIOThreadPool.singleton.runIfActive { log.shutdown() } }
    }

    /// Reopens the access log file (SIGUSR1: log rotation).
    public func reopenAccessLog() {
        sinks.withLockedValue { $0.accessLog?.log }?.reopen()
    }

    /// Flushes and closes the sinks (at exit).
    public func shutdown() async {
        let current = sinks.withLockedValue { sinks in
            defer { sinks = Sinks() }
            return sinks
        }
        if let tracer = current.tracer?.tracer { await tracer.exporter.shutdown() }
        if let log = current.accessLog?.log { try? await NIOThreadPool.singleton.runIfActive { log.shutdown() } }
    }
}
