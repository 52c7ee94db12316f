import Foundation
import Yams

/// `redis:`, `rate_limits:`, `rate_limit_options:` and the `rate_limits: [names]` of routes.
extension ConfigParser {
    package mutating func parseRedis(_ node: Node, _ path: String) -> RateLimitRedisSettings {
        var settings = RateLimitRedisSettings()
        let keys: Set<String> = [
            "address", "timeout", "connect_timeout", "failure_mode", "instances", "username", "password", "password_env",
            "database", "tls", "breaker",
        ]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return settings }
        var sawAddress = false
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "address":
                sawAddress = true
                guard let text = reader.string(value, at) else { continue }
                if let endpoint = Self.endpoint(text) {
                    settings.host = endpoint.host
                    settings.port = endpoint.port
                } else {
                    reader.report(at, value, "expected host:port with a port from 1 to 65535, got '\(text)'")
                }
            case "timeout": settings.timeout = reader.duration(value, at) ?? settings.timeout
            case "connect_timeout": settings.connectTimeout = reader.duration(value, at) ?? settings.connectTimeout
            case "failure_mode":
                guard let text = reader.string(value, at) else { continue }
                if let mode = RateLimitFailureMode(rawValue: text) { settings.failureMode = mode } else { reader.report(at, value, "expected open or closed, got '\(text)'") }
            case "instances": settings.instances = reader.int(value, at, in: 1...10_000) ?? settings.instances
            case "username": settings.username = reader.string(value, at)
            case "password": settings.password = reader.string(value, at)
            case "password_env":
                guard let name = reader.string(value, at) else { continue }
                if let secret = ProcessInfo.processInfo.environment[name], !secret.isEmpty {
                    settings.password = secret
                } else {
                    reader.report(at, value, "environment variable '\(name)' is not set")
                }
            case "database": settings.database = reader.int(value, at, in: 0...15) ?? settings.database
            case "tls":
                if let tls = parseTLS(value, at) {
                    settings.tls = true
                    settings.caFile = tls.caFile
                }
            case "breaker":
                guard let breaker = reader.mapping(value, at, allowed: ["failures", "open_time"]) else { continue }
                for (breakerKey, breakerValue) in breaker {
                    let breakerAt = ConfigReader.child(at, breakerKey)
                    if breakerKey == "failures" { settings.breakerFailures = reader.int(breakerValue, breakerAt, in: 1...1000) ?? settings.breakerFailures }
                    if breakerKey == "open_time" { settings.breakerOpenTime = reader.duration(breakerValue, breakerAt) ?? settings.breakerOpenTime }
                }
            default: break
            }
        }
        if !sawAddress { reader.report(ConfigReader.child(path, "address"), node, "missing") }
        if entries.contains(where: { $0.key == "password" }), entries.contains(where: { $0.key == "password_env" }) {
            reader.report(ConfigReader.child(path, "password"), node, "give either password or password_env, not both")
        }
        return settings
    }

    package mutating func parseRateLimits(_ node: Node, _ path: String) -> [RateLimitDefinition] {
        guard let items = reader.sequence(node, path) else { return [] }
        var limits: [RateLimitDefinition] = []
        var names: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let at = ConfigReader.index(path, index)
            guard let limit = parseRateLimit(item, at) else { continue }
            if let previous = names[limit.name] {
                reader.report(ConfigReader.child(at, "name"), item, "duplicate rate limit name '\(limit.name)' (also \(path)[\(previous)])")
                continue
            }
            names[limit.name] = index
            limits.append(limit)
        }
        return limits
    }

    package mutating func parseRateLimit(_ node: Node, _ path: String) -> RateLimitDefinition? {
        guard let entries = reader.mapping(node, path, allowed: ["name", "key", "rate", "burst", "scope", "mode"]) else { return nil }
        var name: String?
        var key: [RateLimitKeyPart]?
        var rate: RateLimitRate?
        var burst: Int?
        var burstNode: Node?
        var scope = RateLimitScope.global
        var mode = RateLimitMode.enforce
        for (entryKey, value) in entries {
            let at = ConfigReader.child(path, entryKey)
            switch entryKey {
            case "name":
                guard let text = reader.string(value, at) else { continue }
                if text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                    name = text
                } else {
                    reader.report(at, value, "a limit name is printable ASCII without spaces, quotes or backslashes, got '\(text)'")
                }
            case "key":
                guard let parts = reader.strings(value, at) else { continue }
                if parts.isEmpty { reader.report(at, value, "name at least one key part (client_ip, consumer, claim:NAME, header:NAME, route, method)") }
                var parsed: [RateLimitKeyPart] = []
                for (index, text) in parts.enumerated() {
                    guard let part = RateLimitKeyPart(configName: text) else {
                        reader.report(ConfigReader.index(at, index), value, "expected client_ip, consumer, claim:NAME, header:NAME, route or method, got '\(text)'")
                        continue
                    }
                    if parsed.contains(part) { reader.report(ConfigReader.index(at, index), value, "'\(text)' is listed twice") } else { parsed.append(part) }
                }
                key = parsed
            case "rate":
                guard let text = reader.string(value, at) else { continue }
                rate = RateLimitRate(parsing: text.replacingSpaces())
                if rate == nil { reader.report(at, value, "expected N/s, N/m, N/h, N/d or N/month with N from 1 to 1000000000, got '\(text)'") }
            case "burst":
                burstNode = value
                burst = reader.int(value, at, in: 1...1_000_000_000)
            case "scope":
                guard let text = reader.string(value, at) else { continue }
                if let parsed = RateLimitScope(rawValue: text) { scope = parsed } else { reader.report(at, value, "expected global or local, got '\(text)'") }
            case "mode":
                guard let text = reader.string(value, at) else { continue }
                if let parsed = RateLimitMode(rawValue: text) { mode = parsed } else { reader.report(at, value, "expected enforce or shadow, got '\(text)'") }
            default: break
            }
        }
        for required in ["name", "key", "rate"] where !entries.contains(where: { $0.key == required }) {
            reader.report(ConfigReader.child(path, required), node, "missing")
        }
        if let rate, rate.period.isCalendar, let burst, burst != rate.count {
            reader.report(ConfigReader.child(path, "burst"), burstNode, "a calendar quota (\(rate)) has no burst of its own: leave burst out")
        }
        guard let name, let key, !key.isEmpty, let rate else { return nil }
        return RateLimitDefinition(name: name, key: key, rate: rate, burst: burst, scope: scope, mode: mode)
    }

    package mutating func parseRateLimitNames(_ node: Node, _ path: String) -> [String]? {
        guard let names = reader.strings(node, path) else { return nil }
        var seen: Set<String> = []
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            reader.report(ConfigReader.index(path, index), node, "'\(name)' is listed twice")
        }
        return names
    }

    package mutating func parseRateLimitOptions(_ node: Node, _ path: String) -> RateLimitOptions {
        var options = RateLimitOptions()
        guard let entries = reader.mapping(node, path, allowed: ["headers", "local_max_keys"]) else { return options }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            if key == "headers" { options.headers = reader.bool(value, at) ?? options.headers }
            if key == "local_max_keys" { options.localMaxKeys = reader.int(value, at, in: 16...100_000_000) ?? options.localMaxKeys }
        }
        return options
    }

    /// Routes name limits that exist; global limits have a Redis to live in.
    package mutating func checkRateLimitReferences(_ config: EdgeConfig) {
        let known = Set(config.rateLimits.map(\.name))
        let list = known.sorted().joined(separator: ", ")
        func check(_ names: [String]?, _ path: String) {
            for (index, name) in (names ?? []).enumerated() where !known.contains(name) {
                reader.report(ConfigReader.index(path, index), nil, "no rate limit named '\(name)'" + (list.isEmpty ? " (rate_limits is empty)" : " (defined: \(list))"))
            }
        }
        check(config.defaults.rateLimits, "defaults.rate_limits")
        for route in config.routes {
            check(route.options.rateLimits, ConfigReader.child(ConfigReader.child("routes", route.key.description), "rate_limits"))
        }
        check(config.openAPI.access.rateLimits, "openapi.rate_limits")
        if config.redis == nil, let global = config.rateLimits.first(where: { $0.scope == .global }) {
            reader.report("redis", nil, "rate limit '\(global.name)' is global: configure redis (address) or make it scope: local")
        }
    }
}
