import Yams

extension ConfigParser {
    package static let accessLogFields = Set(AccessLogField.allCases.map(\.rawValue))

    package mutating func parseObservability(_ node: Node, _ path: String) -> ObservabilityConfig {
        var config = ObservabilityConfig()
        guard let entries = reader.mapping(node, path, allowed: ["access_log", "tracing"]) else { return config }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "access_log": config.accessLog = parseAccessLog(value, at)
            case "tracing": config.tracing = parseTracing(value, at)
            default: break
            }
        }
        return config
    }

    package mutating func parseAccessLog(_ node: Node, _ path: String) -> AccessLogConfig? {
        guard
            let entries = reader.mapping(
                node, path, allowed: ["path", "format", "fields", "sampling", "errors_only", "buffer_bytes"])
        else { return nil }
        var config = AccessLogConfig(path: "stdout")
        var sawPath = false
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "path":
                if let text = reader.string(value, at) {
                    config.path = text
                    sawPath = true
                }
            case "format":
                guard let format = reader.string(value, at) else { continue }
                if format == "json" || format == "text" {
                    config.format = format
                } else {
                    reader.report(at, value, "expected json or text, got '\(format)'")
                }
            case "fields":
                guard let fields = reader.strings(value, at) else { continue }
                for field in fields where !Self.accessLogFields.contains(field) {
                    reader.report(at, value, "unknown access-log field '\(field)' (known: \(Self.accessLogFields.sorted().joined(separator: ", ")))")
                }
                if fields.isEmpty { reader.report(at, value, "name at least one field, or leave fields out for all of them") }
                config.fields = fields
            case "sampling": config.sampling = reader.double(value, at, in: 0...1) ?? config.sampling
            case "errors_only": config.errorsOnly = reader.bool(value, at) ?? config.errorsOnly
            case "buffer_bytes": config.bufferBytes = reader.bytes(value, at, in: 4096...(1 << 30)) ?? config.bufferBytes
            default: break
            }
        }
        if !sawPath { reader.report(ConfigReader.child(path, "path"), node, "required: stdout or a file path") }
        return config
    }

    package mutating func parseTracing(_ node: Node, _ path: String) -> TracingConfig? {
        guard
            let entries = reader.mapping(
                node, path,
                allowed: ["otlp_endpoint", "sampling", "service_name", "max_queue_spans", "max_batch_spans", "flush_interval", "timeout"])
        else { return nil }
        var config = TracingConfig(otlpEndpoint: "")
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "otlp_endpoint":
                guard let endpoint = reader.string(value, at) else { continue }
                do {
                    _ = try TracingExportSettings(otlpEndpoint: endpoint, serviceName: "edge")
                    config.otlpEndpoint = endpoint
                } catch {
                    reader.report(at, value, "\(error) (the edge posts to <endpoint>/v1/traces)")
                }
            case "sampling": config.sampling = reader.double(value, at, in: 0...1) ?? config.sampling
            case "service_name": config.serviceName = reader.string(value, at) ?? config.serviceName
            case "max_queue_spans": config.maxQueueSpans = reader.int(value, at, in: 1...1_000_000) ?? config.maxQueueSpans
            case "max_batch_spans": config.maxBatchSpans = reader.int(value, at, in: 1...100_000) ?? config.maxBatchSpans
            case "flush_interval": config.flushInterval = reader.duration(value, at) ?? config.flushInterval
            case "timeout": config.timeout = reader.duration(value, at) ?? config.timeout
            default: break
            }
        }
        if config.otlpEndpoint.isEmpty, entries.contains(where: { $0.0 == "otlp_endpoint" }) == false {
            reader.report(ConfigReader.child(path, "otlp_endpoint"), node, "required: the OTLP/HTTP collector's URL, e.g. http://127.0.0.1:4318")
        }
        return config
    }

    /// A route's `tracing: {sampling: 0.1}`.
    package mutating func parseRouteTracing(_ node: Node, _ path: String) -> Double? {
        guard let entries = reader.mapping(node, path, allowed: ["sampling"]) else { return nil }
        var sampling: Double?
        for (key, value) in entries where key == "sampling" {
            sampling = reader.double(value, ConfigReader.child(path, key), in: 0...1)
        }
        return sampling
    }
}
