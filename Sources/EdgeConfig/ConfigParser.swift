import Foundation
import NIOCore
import Yams
import EdgeCore
import EdgeTLS

/// The walk over the document; one method per section.
package struct ConfigParser {
    package var reader = ConfigReader()
    package let baseDirectory: String
    package let checkFiles: Bool

    package init(baseDirectory: String, checkFiles: Bool) {
        self.baseDirectory = baseDirectory
        self.checkFiles = checkFiles
    }

    package mutating func parseRoot(_ root: Node?) -> EdgeConfig {
        var config = EdgeConfig()
        guard let root else {
            reader.report("", nil, "the file is empty (at least descriptors and clusters are required)")
            return config
        }
        let sections: Set<String> = [
            "listen", "descriptors", "clusters", "defaults", "routes", "default_routes", "metadata", "reload", "auth", "cors",
            "redis", "rate_limits", "rate_limit_options", "openapi", "observability",
        ]
        guard let entries = reader.mapping(root, "", allowed: sections) else { return config }
        var sawDescriptors = false
        var descriptorsNode: Node?
        var sawClusters = false
        for (key, value) in entries {
            switch key {
            case "listen": config.listen = parseListen(value, "listen")
            case "descriptors":
                sawDescriptors = true
                descriptorsNode = value
                config.descriptors = parseDescriptors(value, "descriptors")
            case "clusters":
                sawClusters = true
                config.clusters = parseClusters(value, "clusters")
            case "defaults": config.defaults = parseRouteOptions(value, "defaults", allowed: Self.routeKeys)
            case "routes": config.routes = parseRoutes(value, "routes")
            case "default_routes": config.defaultRoutes = reader.bool(value, "default_routes") ?? true
            case "metadata": config.metadata = parseMetadata(value, "metadata")
            case "reload": config.reload = parseReload(value, "reload")
            case "auth": config.auth = parseAuth(value, "auth")
            case "cors": config.cors = parseCORS(value, "cors")
            case "redis": config.redis = parseRedis(value, "redis")
            case "rate_limits": config.rateLimits = parseRateLimits(value, "rate_limits")
            case "rate_limit_options": config.rateLimitOptions = parseRateLimitOptions(value, "rate_limit_options")
            case "openapi": config.openAPI = parseOpenAPI(value, "openapi")
            case "observability": config.observability = parseObservability(value, "observability")
            default: break
            }
        }
        // With a cluster discovered by reflection, descriptor files are optional.
        let discovers = config.clusters.contains { $0.reflection }
        if !sawDescriptors, !discovers { reader.report("descriptors", nil, "missing: name at least one descriptor source") }
        if sawDescriptors, !discovers, config.descriptors.sources.isEmpty, reader.problems.allSatisfy({ !$0.path.hasPrefix("descriptors") }) {
            reader.report("descriptors", descriptorsNode, "name at least one source (descriptor set, .proto file or directory)")
        }
        if !sawClusters { reader.report("clusters", nil, "missing: define at least one cluster") }
        checkTimeouts(config)
        checkAuthReferences(config, known: config.auth.credentialNames)
        checkRateLimitReferences(config)
        return config
    }

    // MARK: listen

    package mutating func parseListen(_ node: Node, _ path: String) -> EdgeConfig.Listen {
        var listen = EdgeConfig.Listen()
        guard let entries = reader.mapping(node, path, allowed: ["host", "port", "admin", "threads", "limits", "tls", "max_connections"]) else { return listen }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "host": listen.server.host = reader.string(value, at) ?? listen.server.host
            case "port": listen.server.port = reader.int(value, at, in: 0...65535) ?? listen.server.port
            case "threads": listen.threads = reader.int(value, at, in: 1...1024)
            case "admin":
                guard let admin = reader.mapping(value, at, allowed: ["host", "port"]) else { continue }
                for (adminKey, adminValue) in admin {
                    let adminAt = ConfigReader.child(at, adminKey)
                    if adminKey == "host" { listen.admin.host = reader.string(adminValue, adminAt) ?? listen.admin.host }
                    if adminKey == "port" { listen.admin.port = reader.int(adminValue, adminAt, in: 0...65535) ?? listen.admin.port }
                }
            case "limits": listen.server.limits = parseLimits(value, at)
            case "tls": listen.server.tls = parseListenTLS(value, at)
            case "max_connections": listen.server.maxConnections = parseMaxConnections(value, at)
            default: break
            }
        }
        if listen.server.port != 0, listen.server.port == listen.admin.port {
            reader.report(path + ".admin.port", nil, "must differ from listen.port (\(listen.server.port))")
        }
        return listen
    }

    package mutating func parseLimits(_ node: Node, _ path: String) -> HTTPLimits {
        var limits = HTTPLimits.defaults
        let keys: Set<String> = ["max_header_bytes", "max_body_bytes", "max_url_bytes", "idle_timeout", "header_read_timeout", "body_read_timeout", "drain_timeout"]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return limits }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "max_header_bytes": limits.maxHeaderBytes = reader.bytes(value, at, in: 512...(1 << 20)) ?? limits.maxHeaderBytes
            case "max_body_bytes": limits.maxBodyBytes = reader.bytes(value, at, in: 0...(1 << 30)) ?? limits.maxBodyBytes
            case "max_url_bytes": limits.maxURLBytes = reader.bytes(value, at, in: 64...(1 << 20)) ?? limits.maxURLBytes
            case "idle_timeout": limits.idleTimeout = reader.duration(value, at) ?? limits.idleTimeout
            case "header_read_timeout": limits.headerReadTimeout = reader.duration(value, at) ?? limits.headerReadTimeout
            case "body_read_timeout": limits.bodyReadTimeout = reader.duration(value, at) ?? limits.bodyReadTimeout
            case "drain_timeout": limits.drainTimeout = reader.duration(value, at) ?? limits.drainTimeout
            default: break
            }
        }
        return limits
    }

    // MARK: descriptors

    package mutating func parseDescriptors(_ node: Node, _ path: String) -> EdgeConfig.Descriptors {
        var descriptors = EdgeConfig.Descriptors()
        // A bare list is accepted as the sources.
        if case .sequence = node {
            descriptors.sources = parsePaths(node, path, what: "descriptor source")
        } else if let entries = reader.mapping(node, path, allowed: ["sources", "import_paths"]) {
            for (key, value) in entries {
                let at = ConfigReader.child(path, key)
                if key == "sources" { descriptors.sources = parsePaths(value, at, what: "descriptor source") }
                if key == "import_paths" { descriptors.importPaths = parsePaths(value, at, what: "import path") }
            }
        }
        return descriptors
    }

    package mutating func parsePaths(_ node: Node, _ path: String, what: String) -> [String] {
        guard let items = reader.sequence(node, path) else { return [] }
        var paths: [String] = []
        for (index, item) in items.enumerated() {
            let at = ConfigReader.index(path, index)
            guard let text = reader.string(item, at) else { continue }
            let resolved = resolve(text)
            if checkFiles, !FileManager.default.fileExists(atPath: resolved) {
                reader.report(at, item, "\(what) '\(text)' does not exist" + (resolved != text ? " (looked at \(resolved))" : ""))
                continue
            }
            paths.append(resolved)
        }
        return paths
    }

    package func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), !baseDirectory.isEmpty else { return path }
        return baseDirectory + "/" + path
    }

    // MARK: clusters

    package mutating func parseClusters(_ node: Node, _ path: String) -> [EdgeConfig.Cluster] {
        guard let items = reader.sequence(node, path) else { return [] }
        if items.isEmpty { reader.report(path, node, "define at least one cluster") }
        var clusters: [EdgeConfig.Cluster] = []
        var names: [String: Int] = [:]
        var claimed: [String: String] = [:]
        for (index, item) in items.enumerated() {
            let at = ConfigReader.index(path, index)
            guard let cluster = parseCluster(item, at) else { continue }
            if let previous = names[cluster.name] {
                reader.report(ConfigReader.child(at, "name"), item, "duplicate cluster name '\(cluster.name)' (also clusters[\(previous)])")
            }
            names[cluster.name] = index
            for (serviceIndex, service) in cluster.services.enumerated() {
                let normalized = ClusterMap.normalize(service)
                if let owner = claimed[normalized] {
                    reader.report(ConfigReader.index(ConfigReader.child(at, "services"), serviceIndex), item, "'\(service)' is already mapped to cluster '\(owner)'")
                }
                claimed[normalized] = cluster.name
            }
            clusters.append(cluster)
        }
        return clusters
    }

    package mutating func parseCluster(_ node: Node, _ path: String) -> EdgeConfig.Cluster? {
        let keys: Set<String> = [
            "name", "endpoints", "tls", "services", "circuit_breaker", "health_check", "outlier_detection", "reflection", "max_requests",
        ]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return nil }
        var name: String?
        var endpoints: [EdgeConfig.Endpoint] = []
        var tls: EdgeConfig.TLS?
        var services: [String] = []
        var circuitBreaker = CircuitBreakerConfiguration.defaults
        var healthCheck: HealthCheckConfiguration?
        var outlierDetection = OutlierDetectionConfiguration.defaults
        var sawEndpoints = false
        var sawServices = false
        var reflection = false
        var maxRequests: Int?
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "name": name = reader.string(value, at)
            case "endpoints":
                sawEndpoints = true
                guard let items = reader.sequence(value, at) else { continue }
                if items.isEmpty { reader.report(at, value, "list at least one host:port") }
                for (index, item) in items.enumerated() {
                    let itemAt = ConfigReader.index(at, index)
                    guard let text = reader.string(item, itemAt) else { continue }
                    if let endpoint = Self.endpoint(text) {
                        endpoints.append(endpoint)
                    } else {
                        reader.report(itemAt, item, "expected host:port with a port from 1 to 65535, got '\(text)'")
                    }
                }
            case "tls": tls = parseTLS(value, at)
            case "services":
                sawServices = true
                guard let list = reader.strings(value, at) else { continue }
                if list.isEmpty { reader.report(at, value, "list at least one service or package") }
                for (index, service) in list.enumerated() where !ClusterMap.isValidPattern(service) {
                    reader.report(ConfigReader.index(at, index), value, "expected a service name (pkg.Service) or a package prefix (pkg, pkg.*), got '\(service)'")
                }
                services = list
            case "circuit_breaker": circuitBreaker = parseCircuitBreaker(value, at)
            case "health_check": healthCheck = parseHealthCheck(value, at)
            case "outlier_detection": outlierDetection = parseOutlierDetection(value, at)
            case "reflection": reflection = reader.bool(value, at) ?? false
            case "max_requests": maxRequests = parseMaxRequests(value, at)
            default: break
            }
        }
        if name == nil, !entries.contains(where: { $0.key == "name" }) { reader.report(ConfigReader.child(path, "name"), node, "missing") }
        if !sawEndpoints { reader.report(ConfigReader.child(path, "endpoints"), node, "missing") }
        if !sawServices, !reflection { reader.report(ConfigReader.child(path, "services"), node, "missing") }
        guard let name else { return nil }
        return EdgeConfig.Cluster(
            name: name, endpoints: endpoints, tls: tls, services: services,
            circuitBreaker: circuitBreaker, healthCheck: healthCheck, outlierDetection: outlierDetection, reflection: reflection,
            maxRequests: maxRequests)
    }

    /// `circuit_breaker: {enabled, consecutive_failures, error_rate, window, min_requests,
    /// open_timeout, max_open_timeout, half_open_probes}`, or `circuit_breaker: false`.
    package mutating func parseCircuitBreaker(_ node: Node, _ path: String) -> CircuitBreakerConfiguration {
        var breaker = CircuitBreakerConfiguration.defaults
        if case .scalar = node {
            breaker.enabled = reader.bool(node, path) ?? true
            return breaker
        }
        let keys: Set<String> = [
            "enabled", "consecutive_failures", "error_rate", "window", "min_requests", "open_timeout", "max_open_timeout", "half_open_probes",
        ]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return breaker }
        var sawMaxOpenTimeout = false
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "enabled": breaker.enabled = reader.bool(value, at) ?? breaker.enabled
            case "consecutive_failures": breaker.consecutiveFailures = reader.int(value, at, in: 0...1_000_000) ?? breaker.consecutiveFailures
            case "error_rate": breaker.errorRate = reader.double(value, at, in: 0...1) ?? breaker.errorRate
            case "window": breaker.window = reader.duration(value, at) ?? breaker.window
            case "min_requests": breaker.minRequests = reader.int(value, at, in: 1...1_000_000) ?? breaker.minRequests
            case "open_timeout": breaker.openTimeout = reader.duration(value, at) ?? breaker.openTimeout
            case "max_open_timeout":
                sawMaxOpenTimeout = true
                breaker.maxOpenTimeout = reader.duration(value, at) ?? breaker.maxOpenTimeout
            case "half_open_probes": breaker.halfOpenProbes = reader.int(value, at, in: 1...1000) ?? breaker.halfOpenProbes
            default: break
            }
        }
        if breaker.maxOpenTimeout < breaker.openTimeout {
            if sawMaxOpenTimeout {
                reader.report(ConfigReader.child(path, "max_open_timeout"), node, "must not be shorter than open_timeout")
            }
            breaker.maxOpenTimeout = breaker.openTimeout
        }
        if breaker.enabled, breaker.consecutiveFailures == 0, breaker.errorRate == 0 {
            reader.report(path, node, "consecutive_failures and error_rate are both 0, so the breaker could never open (write enabled: false to turn it off)")
        }
        return breaker
    }

    /// `health_check: {interval, timeout, service, unhealthy_threshold, healthy_threshold}`;
    /// present means on (`enabled: false` turns it off again).
    package mutating func parseHealthCheck(_ node: Node, _ path: String) -> HealthCheckConfiguration? {
        var check = HealthCheckConfiguration.defaults
        let keys: Set<String> = ["enabled", "interval", "timeout", "service", "unhealthy_threshold", "healthy_threshold"]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return nil }
        var enabled = true
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "enabled": enabled = reader.bool(value, at) ?? enabled
            case "interval": check.interval = reader.duration(value, at) ?? check.interval
            case "timeout": check.timeout = reader.duration(value, at) ?? check.timeout
            case "service": check.service = reader.string(value, at, allowEmpty: true) ?? check.service
            case "unhealthy_threshold": check.unhealthyThreshold = reader.int(value, at, in: 1...100) ?? check.unhealthyThreshold
            case "healthy_threshold": check.healthyThreshold = reader.int(value, at, in: 1...100) ?? check.healthyThreshold
            default: break
            }
        }
        return enabled ? check : nil
    }

    /// `outlier_detection: {enabled, consecutive_failures, base_ejection_time, max_ejection_percent}`,
    /// or `outlier_detection: false`.
    package mutating func parseOutlierDetection(_ node: Node, _ path: String) -> OutlierDetectionConfiguration {
        var detection = OutlierDetectionConfiguration.defaults
        if case .scalar = node {
            detection.enabled = reader.bool(node, path) ?? true
            return detection
        }
        let keys: Set<String> = ["enabled", "consecutive_failures", "base_ejection_time", "max_ejection_percent"]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return detection }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "enabled": detection.enabled = reader.bool(value, at) ?? detection.enabled
            case "consecutive_failures": detection.consecutiveFailures = reader.int(value, at, in: 1...1_000_000) ?? detection.consecutiveFailures
            case "base_ejection_time": detection.baseEjectionTime = reader.duration(value, at) ?? detection.baseEjectionTime
            case "max_ejection_percent": detection.maxEjectionPercent = reader.int(value, at, in: 0...100) ?? detection.maxEjectionPercent
            default: break
            }
        }
        return detection
    }

    /// `tls: true|false` or `tls: {enabled: bool, ca_file, cert_file, key_file, server_name}`
    /// (`cert_file` and `key_file` together: the client certificate for mTLS upstream).
    package mutating func parseTLS(_ node: Node, _ path: String) -> EdgeConfig.TLS? {
        if case .scalar = node {
            return reader.bool(node, path) == true ? EdgeConfig.TLS() : nil
        }
        guard let entries = reader.mapping(node, path, allowed: ["enabled", "ca_file", "cert_file", "key_file", "server_name"]) else { return nil }
        var enabled = true
        var tls = EdgeConfig.TLS()
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            if key == "enabled" { enabled = reader.bool(value, at) ?? true }
            if key == "ca_file", let file = reader.string(value, at) {
                let resolved = resolve(file)
                if checkFiles, !FileManager.default.fileExists(atPath: resolved) {
                    reader.report(at, value, "CA file '\(file)' does not exist")
                }
                tls.caFile = resolved
            }
            if key == "cert_file" { tls.certFile = reader.string(value, at).map(resolve) }
            if key == "key_file" { tls.keyFile = reader.string(value, at).map(resolve) }
            if key == "server_name" { tls.serverName = reader.string(value, at) }
        }
        switch (tls.certFile, tls.keyFile) {
        case (nil, nil): break
        case (let cert?, let key?):
            if checkFiles {
                do {
                    _ = try TLSCertificatePair.load(certFile: cert, keyFile: key)
                } catch {
                    reader.report(path, node, error.message)
                }
            }
        case (nil, _): reader.report(ConfigReader.child(path, "cert_file"), node, "missing: key_file is set, the client certificate chain is not")
        case (_, nil): reader.report(ConfigReader.child(path, "key_file"), node, "missing: cert_file is set, its private key is not")
        }
        if checkFiles, let caFile = tls.caFile, FileManager.default.fileExists(atPath: caFile) {
            do {
                _ = try TLSCertificatePair.loadCertificates(caFile, what: "CA file")
            } catch {
                reader.report(ConfigReader.child(path, "ca_file"), node, error.message)
            }
        }
        return enabled ? tls : nil
    }

    package static func endpoint(_ text: String) -> EdgeConfig.Endpoint? {
        UpstreamEndpoint(parsing: text)
    }

    // MARK: routes

    package static let routeKeys: Set<String> = Set([
        "timeout", "max_timeout", "retries", "max_body_bytes", "json", "allow_retries", "stream_format", "rate_limits", "tracing",
        "max_in_flight",
    ]).union(accessRouteKeys)
    package static let httpMethods: Set<String> = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    package mutating func parseRoutes(_ node: Node, _ path: String) -> [EdgeConfig.RouteOverride] {
        guard let entries = reader.mapping(node, path) else { return [] }
        var routes: [EdgeConfig.RouteOverride] = []
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            let options = parseRouteOptions(value, at, allowed: Self.routeKeys)
            guard let routeKey = parseRouteKey(key, at, value) else { continue }
            routes.append(EdgeConfig.RouteOverride(key: routeKey, options: options))
        }
        return routes
    }

    package mutating func parseRouteKey(_ key: String, _ path: String, _ node: Node) -> EdgeConfig.RouteKey? {
        let parts = key.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count == 2 {
            let method = parts[0].uppercased()
            guard Self.httpMethods.contains(method) || parts[0].allSatisfy({ $0.isLetter }) else {
                reader.report(path, node, "expected an HTTP method before the pattern, got '\(parts[0])'")
                return nil
            }
            guard parts[1].hasPrefix("/") else {
                reader.report(path, node, "an HTTP pattern must start with '/', got '\(parts[1])'")
                return nil
            }
            return .http(method: method, pattern: String(parts[1]))
        }
        if let name = ClusterMap.methodName(key) { return .method(name) }
        reader.report(path, node, "a route key is a gRPC method (pkg.Service.Method or /pkg.Service/Method) or 'VERB /pattern', got '\(key)'")
        return nil
    }

    package mutating func parseRouteOptions(_ node: Node, _ path: String, allowed: Set<String>) -> EdgeConfig.RouteOptions {
        var options = EdgeConfig.RouteOptions()
        guard let entries = reader.mapping(node, path, allowed: allowed) else { return options }
        for (key, value) in entries { parseRouteOption(key, value, ConfigReader.child(path, key), into: &options) }
        return options
    }

    /// One key of a `routes` entry (or of `defaults`, or an access key of `openapi`).
    package mutating func parseRouteOption(_ key: String, _ value: Node, _ at: String, into options: inout EdgeConfig.RouteOptions) {
        switch key {
        case "timeout": options.timeout = reader.duration(value, at)
        case "max_timeout": options.maxTimeout = reader.duration(value, at)
        case "max_body_bytes": options.maxBodyBytes = reader.bytes(value, at, in: 0...(1 << 30))
        case "allow_retries": options.allowRetries = reader.bool(value, at)
        case "retries": options.retries = parseRetries(value, at)
        case "json": options.json = parseJSONOptions(value, at)
        case "auth": options.auth = parseAuthRequirement(value, at)
        case "scopes": options.scopes = reader.strings(value, at)
        case "claims": options.claims = parseClaims(value, at)
        case "cors": options.cors = parseCORS(value, at)
        case "ip": options.ip = parseIPRules(value, at, allowTrustedProxies: false)
        case "rate_limits": options.rateLimits = parseRateLimitNames(value, at)
        case "tracing": options.traceSampling = parseRouteTracing(value, at)
        case "max_in_flight": options.maxInFlight = parseMaxInFlight(value, at)
        case "stream_format":
            guard let name = reader.string(value, at) else { return }
            if let format = EdgeConfig.StreamFormat(rawValue: name) {
                options.streamFormat = format
            } else {
                reader.report(at, value, "expected ndjson or json_array, got '\(name)'")
            }
        default: break
        }
    }

    package mutating func parseRetries(_ node: Node, _ path: String) -> EdgeConfig.RetryOptions {
        var retries = EdgeConfig.RetryOptions()
        let keys: Set<String> = ["max_attempts", "initial_backoff", "max_backoff", "multiplier", "retryable_codes", "budget"]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return retries }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "max_attempts": retries.maxAttempts = reader.int(value, at, in: 1...10)
            case "initial_backoff": retries.initialBackoff = reader.duration(value, at)
            case "max_backoff": retries.maxBackoff = reader.duration(value, at)
            case "multiplier": retries.multiplier = reader.double(value, at, in: 1...10)
            case "budget": retries.budget = reader.double(value, at, in: 0...1)
            case "retryable_codes":
                guard let names = reader.strings(value, at) else { continue }
                var codes: Set<GRPCStatusCode> = []
                for (index, name) in names.enumerated() {
                    if let code = GRPCStatusCode(configName: name), code != .ok {
                        codes.insert(code)
                    } else {
                        reader.report(ConfigReader.index(at, index), value, "unknown or non-error gRPC status code '\(name)' (e.g. UNAVAILABLE, RESOURCE_EXHAUSTED)")
                    }
                }
                retries.retryableCodes = codes
            default: break
            }
        }
        if let initial = retries.initialBackoff, let maximum = retries.maxBackoff, maximum < initial {
            reader.report(ConfigReader.child(path, "max_backoff"), node, "must not be shorter than initial_backoff")
        }
        return retries
    }

    package mutating func parseJSONOptions(_ node: Node, _ path: String) -> EdgeConfig.JSONOptions {
        var json = EdgeConfig.JSONOptions()
        let keys: Set<String> = ["emit_unpopulated", "use_proto_names", "enums_as_ints", "ignore_unknown_fields", "ignore_unknown_query_parameters"]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return json }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            let flag = reader.bool(value, at)
            switch key {
            case "emit_unpopulated": json.emitUnpopulated = flag
            case "use_proto_names": json.useProtoNames = flag
            case "enums_as_ints": json.enumsAsInts = flag
            case "ignore_unknown_fields": json.ignoreUnknownFields = flag
            case "ignore_unknown_query_parameters": json.ignoreUnknownQueryParameters = flag
            default: break
            }
        }
        return json
    }

    // MARK: metadata

    package mutating func parseMetadata(_ node: Node, _ path: String) -> EdgeConfig.Metadata {
        var metadata = EdgeConfig.Metadata()
        guard let entries = reader.mapping(node, path, allowed: ["forward_headers"]) else { return metadata }
        for (_, value) in entries {
            let at = ConfigReader.child(path, "forward_headers")
            guard let names = reader.strings(value, at) else { continue }
            for (index, name) in names.enumerated() {
                let lower = name.lowercased()
                let isToken = lower.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 || $0 == 46 }
                if !isToken {
                    reader.report(ConfigReader.index(at, index), value, "'\(name)' is not a valid header name")
                } else if HopByHop.isReserved(lower) {
                    reader.report(ConfigReader.index(at, index), value, "'\(name)' is a hop-by-hop or reserved header and is never forwarded")
                } else {
                    metadata.forwardHeaders.append(lower)
                }
            }
        }
        return metadata
    }

    // MARK: reload

    package mutating func parseReload(_ node: Node, _ path: String) -> EdgeConfig.Reload {
        var reload = EdgeConfig.Reload()
        guard let entries = reader.mapping(node, path, allowed: ["watch", "poll_interval"]) else { return reload }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "watch": reload.watch = reader.bool(value, at) ?? reload.watch
            case "poll_interval":
                guard let interval = reader.duration(value, at) else { continue }
                if interval < .milliseconds(100) {
                    reader.report(at, value, "must be at least 100ms, got \(ConfigDuration.format(interval))")
                } else {
                    reload.pollInterval = interval
                }
            default: break
            }
        }
        return reload
    }

    // MARK: openapi

    /// The keys that restrict the document and the page, as they restrict a route.
    package static let openAPIAccessKeys: Set<String> = accessRouteKeys.union(["rate_limits"])

    package mutating func parseOpenAPI(_ node: Node, _ path: String) -> EdgeConfig.OpenAPI {
        var openAPI = EdgeConfig.OpenAPI()
        let keys = Self.openAPIAccessKeys.union(["enabled", "docs", "default_routes", "title", "version"])
        guard let entries = reader.mapping(node, path, allowed: keys) else { return openAPI }
        var access = EdgeConfig.RouteOptions()
        var firstAccessKey: String?
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "enabled": openAPI.enabled = reader.bool(value, at) ?? openAPI.enabled
            case "docs": openAPI.docs = reader.bool(value, at) ?? openAPI.docs
            case "default_routes": openAPI.defaultRoutes = reader.bool(value, at) ?? openAPI.defaultRoutes
            case "title": openAPI.title = reader.string(value, at) ?? openAPI.title
            case "version": openAPI.version = reader.string(value, at) ?? openAPI.version
            default:
                firstAccessKey = firstAccessKey ?? key
                parseRouteOption(key, value, at, into: &access)
            }
        }
        openAPI.access.apply(access)
        if openAPI.docs && !openAPI.enabled {
            reader.report(ConfigReader.child(path, "docs"), nil, "the docs page shows the document: set enabled: true too")
        }
        if let firstAccessKey, !openAPI.enabled {
            reader.report(ConfigReader.child(path, firstAccessKey), nil, "restricts the document, which is not served: set enabled: true too")
        }
        return openAPI
    }

    // MARK: cross checks

    package mutating func checkTimeouts(_ config: EdgeConfig) {
        let base = RouteSettings()
        let defaultTimeout = config.defaults.timeout ?? base.timeout
        let defaultMax = config.defaults.maxTimeout ?? base.maxTimeout
        if defaultTimeout > defaultMax {
            reader.report("defaults.timeout", nil, "\(ConfigDuration.format(defaultTimeout)) is longer than defaults.max_timeout (\(ConfigDuration.format(defaultMax)))")
        }
        for route in config.routes {
            let timeout = route.options.timeout ?? defaultTimeout
            let maximum = route.options.maxTimeout ?? defaultMax
            if timeout > maximum {
                reader.report(ConfigReader.child(ConfigReader.child("routes", route.key.description), "timeout"), nil,
                    "\(ConfigDuration.format(timeout)) is longer than its max_timeout (\(ConfigDuration.format(maximum)))")
            }
        }
    }
}
