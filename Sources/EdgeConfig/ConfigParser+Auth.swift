import Foundation
import NIOCore
import Yams
import EdgeCore

/// `auth:`, `cors:` and the access keys of `defaults` and `routes` (`auth`, `scopes`,
/// `claims`, `cors`, `ip`).
extension ConfigParser {
    package static let accessRouteKeys: Set<String> = ["auth", "scopes", "claims", "cors", "ip"]

    package mutating func parseAuth(_ node: Node, _ path: String) -> AuthConfig {
        var auth = AuthConfig()
        guard let entries = reader.mapping(node, path, allowed: ["jwt", "api_keys", "ip"]) else { return auth }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "jwt": auth.jwt = parseJWTProviders(value, at)
            case "api_keys": auth.apiKeys = parseAPIKeys(value, at)
            case "ip": auth.ip = parseIPRules(value, at, allowTrustedProxies: true)
            default: break
            }
        }
        return auth
    }

    // MARK: API keys

    package mutating func parseAPIKeys(_ node: Node, _ path: String) -> APIKeysConfig? {
        guard let entries = reader.mapping(node, path, allowed: ["header", "query", "keys_file", "consumer_header"]) else { return nil }
        var config = APIKeysConfig(keysFile: "")
        var sawFile = false
        var sawHeader = false
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "header":
                sawHeader = true
                config.header = headerName(value, at)
            case "query": config.query = reader.string(value, at)
            case "consumer_header": config.consumerHeader = headerName(value, at) ?? config.consumerHeader
            case "keys_file":
                sawFile = true
                guard let file = reader.string(value, at) else { continue }
                config.keysFile = resolve(file)
                if checkFiles { config.keys = loadAPIKeys(file: config.keysFile, at, value) }
            default: break
            }
        }
        if sawHeader == false, config.query != nil { config.header = nil }
        if !sawFile { reader.report(path, node, "missing: keys_file (a YAML map of consumer name to the key's SHA-256, lowercase hex)") }
        return config
    }

    /// A lower-case header name that is a token.
    package mutating func headerName(_ node: Node, _ path: String) -> String? {
        guard let name = reader.string(node, path) else { return nil }
        let token = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
        guard token else {
            reader.report(path, node, "'\(name)' is not a valid header name")
            return nil
        }
        return name.lowercased()
    }

    /// The keys file: `consumer: <sha256 hex>` or `consumer: {sha256: <hex>, expires: 2027-01-01T00:00:00Z}`.
    /// Problems name the file and the consumer, never a key.
    package mutating func loadAPIKeys(file: String, _ path: String, _ node: Node) -> [APIKeyEntry] {
        guard let data = FileManager.default.contents(atPath: file) else {
            reader.report(path, node, "cannot read the keys file '\(file)'")
            return []
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            reader.report(path, node, "keys file '\(file)' is not valid YAML")
            return []
        }
        guard let root else { return [] }
        let where_ = "\(path) ('\(file)')"
        guard let consumers = reader.mapping(root, where_) else { return [] }
        var keys: [APIKeyEntry] = []
        var seenDigests: Set<[UInt8]> = []
        for (consumer, value) in consumers {
            let at = ConfigReader.child(where_, consumer)
            var hex: String?
            var expires: Int64?
            if value.scalar != nil {
                hex = reader.string(value, at)
            } else if let fields = reader.mapping(value, at, allowed: ["sha256", "expires"]) {
                for (field, fieldValue) in fields {
                    let fieldAt = ConfigReader.child(at, field)
                    if field == "sha256" { hex = reader.string(fieldValue, fieldAt) }
                    if field == "expires" {
                        guard let text = reader.string(fieldValue, fieldAt) else { continue }
                        guard let date = ISO8601DateFormatter().date(from: text) else {
                            reader.report(fieldAt, fieldValue, "expected an RFC 3339 time like 2027-01-31T00:00:00Z")
                            continue
                        }
                        expires = Int64(date.timeIntervalSince1970)
                    }
                }
            }
            guard let hex else {
                reader.report(at, value, "missing: the key's SHA-256 (lowercase hex)")
                continue
            }
            guard let digest = Self.hexDigest(hex) else {
                reader.report(at, value, "expected the key's SHA-256 as 64 lowercase hex digits")
                continue
            }
            guard seenDigests.insert(digest).inserted else {
                reader.report(at, value, "the same key is listed for two consumers")
                continue
            }
            keys.append(APIKeyEntry(consumer: consumer, digest: digest, expires: expires))
        }
        return keys
    }

    package static func hexDigest(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count == 64 else { return nil }
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x61...0x66: return byte - 0x61 + 10
            default: return nil
            }
        }
        var index = 0
        while index < 64 {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return nil }
            digest.append(high << 4 | low)
            index += 2
        }
        return digest
    }

    // MARK: IP rules

    package mutating func parseIPRules(_ node: Node, _ path: String, allowTrustedProxies: Bool) -> IPRulesConfig {
        var rules = IPRulesConfig()
        let keys: Set<String> = allowTrustedProxies ? ["allow", "deny", "trusted_proxies"] : ["allow", "deny"]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return rules }
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            let ranges = parseIPRanges(value, at)
            switch key {
            case "allow": rules.allow = ranges
            case "deny": rules.deny = ranges
            case "trusted_proxies": rules.trustedProxies = ranges
            default: break
            }
        }
        return rules
    }

    package mutating func parseIPRanges(_ node: Node, _ path: String) -> [IPRange] {
        guard let items = reader.sequence(node, path) else { return [] }
        var ranges: [IPRange] = []
        for (index, item) in items.enumerated() {
            let at = ConfigReader.index(path, index)
            guard let text = reader.string(item, at) else { continue }
            guard let range = IPRange(text) else {
                reader.report(at, item, "expected an IP address or CIDR block (192.0.2.0/24, 2001:db8::/32), got '\(text)'")
                continue
            }
            ranges.append(range)
        }
        return ranges
    }

    // MARK: CORS

    package mutating func parseCORS(_ node: Node, _ path: String) -> CORSConfig? {
        let keys: Set<String> = ["allow_origins", "allow_methods", "allow_headers", "expose_headers", "allow_credentials", "max_age"]
        guard let entries = reader.mapping(node, path, allowed: keys) else { return nil }
        var cors = CORSConfig()
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "allow_origins":
                for (index, origin) in (reader.strings(value, at) ?? []).enumerated() {
                    if let problem = CORSOrigins.problem(origin) {
                        reader.report(ConfigReader.index(at, index), value, problem)
                    } else {
                        cors.allowOrigins.append(origin.lowercased())
                    }
                }
            case "allow_methods":
                cors.allowMethods = (reader.strings(value, at) ?? []).map { $0.uppercased() }
                for method in cors.allowMethods where !method.allSatisfy({ $0.isLetter }) {
                    reader.report(at, value, "'\(method)' is not an HTTP method")
                }
            case "allow_headers": cors.allowHeaders = (reader.strings(value, at) ?? []).map { $0.lowercased() }
            case "expose_headers": cors.exposeHeaders = (reader.strings(value, at) ?? []).map { $0.lowercased() }
            case "allow_credentials": cors.allowCredentials = reader.bool(value, at) ?? false
            case "max_age": cors.maxAge = reader.duration(value, at, positive: false)
            default: break
            }
        }
        if cors.allowCredentials, cors.allowOrigins.contains("*") {
            reader.report(path, node, "allow_origins '*' cannot be combined with allow_credentials: true (browsers refuse it); list the origins")
        }
        return cors
    }

    // MARK: Route access

    /// `auth: none`, `{any: [...]}`, `{all: [...]}`, with `allow_missing`.
    package mutating func parseAuthRequirement(_ node: Node, _ path: String) -> AuthRequirement? {
        if let text = node.scalar?.string {
            guard text == "none" else {
                reader.report(path, node, "expected none or a mapping with any/all, got '\(text)'")
                return nil
            }
            return AuthRequirement.none
        }
        guard let entries = reader.mapping(node, path, allowed: ["any", "all", "allow_missing"]) else { return nil }
        var any: [String]?
        var all: [String]?
        var allowMissing = false
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "any": any = reader.strings(value, at)
            case "all": all = reader.strings(value, at)
            case "allow_missing": allowMissing = reader.bool(value, at) ?? false
            default: break
            }
        }
        switch (any, all) {
        case (let names?, nil) where !names.isEmpty: return .any(names, allowMissing: allowMissing)
        case (nil, let names?) where !names.isEmpty: return .all(names, allowMissing: allowMissing)
        default:
            reader.report(path, node, "name the credentials in exactly one non-empty list: any: [...] or all: [...]")
            return nil
        }
    }

    package mutating func parseClaims(_ node: Node, _ path: String) -> [String: [String]]? {
        guard let entries = reader.mapping(node, path) else { return nil }
        var claims: [String: [String]] = [:]
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            if case .sequence = value {
                claims[key] = reader.strings(value, at) ?? []
            } else if let single = reader.string(value, at) {
                claims[key] = [single]
            }
        }
        return claims
    }

    /// Every credential a requirement names must be configured.
    package mutating func checkAuthReferences(_ config: EdgeConfig, known: Set<String>) {
        func check(_ requirement: AuthRequirement?, _ path: String) {
            for name in requirement?.credentials ?? [] where !known.contains(name) {
                let list = known.sorted().joined(separator: ", ")
                reader.report(path, nil, "unknown credential '\(name)' (configured: \(list))")
            }
        }
        check(config.defaults.auth, "defaults.auth")
        for route in config.routes { check(route.options.auth, "routes[\"\(route.key)\"].auth") }
        check(config.openAPI.access.auth, "openapi.auth")
    }
}
