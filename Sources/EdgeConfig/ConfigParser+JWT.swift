import Foundation
import Yams
import EdgeCore

/// `auth.jwt`: the list of JWT providers (``JWTProviderConfig``).
///
/// ```yaml
/// - name: main                          # referenced by routes as jwt:main
///   issuer: https://id.example.com
///   audiences: [books]                  # any of; empty or absent: not checked
///   jwks: {file: keys/jwks.json}        # or {uri: https://id.example.com/jwks.json}
///   algorithms: [RS256, ES256]          # default [RS256]; HS* only with secret_file
///   clock_skew: 60s
///   require_exp: true
///   max_lifetime: 24h                   # optional
///   claims_to_headers: {sub: x-user-id, realm.roles: x-roles}
///   from_header: x-token                # token sources; default Authorization: Bearer
///   from_query: access_token
///   from_cookie: session
///   from_bearer: true                   # keep Authorization: Bearer beside the others
///   forward: false                      # pass the token itself to the backend
///   secret_file: keys/hmac.secret       # HS256/384/512 only
///   cache_size: 1024                    # verified tokens kept per event loop
///   jwks_cache: 10m                     # without Cache-Control: max-age
///   refetch_cooldown: 30s
///   fetch_timeout: 10s
/// ```
extension ConfigParser {
    package static let jwtProviderKeys: Set<String> = [
        "name", "issuer", "audiences", "jwks", "algorithms", "clock_skew", "claims_to_headers",
        "require_exp", "max_lifetime", "from_header", "from_query", "from_cookie", "from_bearer", "forward",
        "secret_file", "cache_size", "jwks_cache", "refetch_cooldown", "fetch_timeout",
    ]

    package mutating func parseJWTProviders(_ node: Node, _ path: String) -> [JWTProviderConfig] {
        guard let items = reader.sequence(node, path) else { return [] }
        var providers: [JWTProviderConfig] = []
        var names: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let at = ConfigReader.index(path, index)
            guard let provider = parseJWTProvider(item, at) else { continue }
            if let previous = names[provider.name] {
                reader.report(ConfigReader.child(at, "name"), item, "duplicate provider name '\(provider.name)' (also \(path)[\(previous)])")
                continue
            }
            names[provider.name] = index
            providers.append(provider)
        }
        return providers
    }

    package mutating func parseJWTProvider(_ node: Node, _ path: String) -> JWTProviderConfig? {
        guard let entries = reader.mapping(node, path, allowed: Self.jwtProviderKeys) else { return nil }
        var provider = JWTProviderConfig(name: "", issuer: "")
        var sawName = false
        var sawIssuer = false
        var sources: [JWTTokenSource] = []
        var fromBearer: Bool?
        var secretNode: Node?
        for (key, value) in entries {
            let at = ConfigReader.child(path, key)
            switch key {
            case "name":
                guard let name = reader.string(value, at) else { continue }
                sawName = true
                if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }) {
                    reader.report(at, value, "a provider name is letters, digits, '.', '_' and '-', got '\(name)'")
                }
                provider.name = name
            case "issuer":
                guard let issuer = reader.string(value, at) else { continue }
                sawIssuer = true
                provider.issuer = issuer
            case "audiences":
                provider.audiences = reader.strings(value, at) ?? []
            case "algorithms":
                guard let names = reader.strings(value, at) else { continue }
                if names.isEmpty { reader.report(at, value, "list at least one algorithm") }
                var algorithms: [JWTSigningAlgorithm] = []
                for (index, name) in names.enumerated() {
                    if name.lowercased() == "none" {
                        reader.report(ConfigReader.index(at, index), value, "unsigned tokens (none) can never be accepted")
                    } else if let algorithm = JWTSigningAlgorithm(rawValue: name) {
                        if !algorithms.contains(algorithm) { algorithms.append(algorithm) }
                    } else {
                        let known = JWTSigningAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
                        reader.report(ConfigReader.index(at, index), value, "unknown algorithm '\(name)' (expected one of: \(known))")
                    }
                }
                if !algorithms.isEmpty { provider.algorithms = algorithms }
            case "jwks":
                provider.keySet = parseJWKSSource(value, at)
            case "clock_skew":
                guard let skew = reader.duration(value, at, positive: false) else { continue }
                if skew.nanoseconds < 0 || skew > .minutes(10) {
                    reader.report(at, value, "must be between 0s and 10m, got \(ConfigDuration.format(skew))")
                } else {
                    provider.clockSkew = skew
                }
            case "claims_to_headers":
                provider.claimsToHeaders = parseClaimsToHeaders(value, at)
            case "require_exp": provider.requireExpiry = reader.bool(value, at) ?? provider.requireExpiry
            case "max_lifetime": provider.maxLifetime = reader.duration(value, at)
            case "from_header":
                guard let name = reader.string(value, at) else { continue }
                if let header = checkedHeaderName(name, at, value) {
                    sources.append(header == "authorization" ? .bearer : .header(header))
                }
            case "from_query":
                guard let name = reader.string(value, at) else { continue }
                sources.append(.query(name))
            case "from_cookie":
                guard let name = reader.string(value, at) else { continue }
                sources.append(.cookie(name))
            case "from_bearer": fromBearer = reader.bool(value, at)
            case "forward": provider.forward = reader.bool(value, at) ?? provider.forward
            case "secret_file":
                guard let file = reader.string(value, at) else { continue }
                provider.secretFile = resolve(file)
                secretNode = value
            case "cache_size": provider.cacheSize = reader.int(value, at, in: 0...JWTProviderConfig.maxCacheSize) ?? provider.cacheSize
            case "jwks_cache":
                guard let duration = reader.duration(value, at) else { continue }
                if duration < .seconds(1) { reader.report(at, value, "must be at least 1s") } else { provider.keySetCacheDuration = duration }
            case "refetch_cooldown": provider.refetchCooldown = reader.duration(value, at) ?? provider.refetchCooldown
            case "fetch_timeout": provider.fetchTimeout = reader.duration(value, at) ?? provider.fetchTimeout
            default: break
            }
        }
        if !sawName, !entries.contains(where: { $0.key == "name" }) { reader.report(ConfigReader.child(path, "name"), node, "missing") }
        if !sawIssuer, !entries.contains(where: { $0.key == "issuer" }) { reader.report(ConfigReader.child(path, "issuer"), node, "missing") }
        if fromBearer ?? sources.isEmpty, !sources.contains(.bearer) { sources.insert(.bearer, at: 0) }
        provider.tokenSources = sources

        let usesHMAC = provider.algorithms.contains(where: \.isHMAC)
        let usesKeys = provider.algorithms.contains(where: { !$0.isHMAC })
        if usesKeys, provider.keySet == nil, !entries.contains(where: { $0.key == "jwks" }) {
            reader.report(ConfigReader.child(path, "jwks"), node, "missing: {file: PATH} or {uri: URL} (algorithms \(provider.algorithms.filter { !$0.isHMAC }.map(\.rawValue).joined(separator: ", ")) need public keys)")
        }
        if let file = provider.secretFile {
            let at = ConfigReader.child(path, "secret_file")
            if !usesHMAC {
                reader.report(at, secretNode, "a secret is only used with HS256, HS384 or HS512 in algorithms")
            }
            if let data = FileManager.default.contents(atPath: file) {
                var bytes = [UInt8](data)
                while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
                provider.secret = bytes
                for algorithm in provider.algorithms where algorithm.isHMAC && bytes.count < algorithm.minimumSecretBytes {
                    reader.report(at, secretNode, "\(algorithm.rawValue) needs a secret of at least \(algorithm.minimumSecretBytes) bytes, the file has \(bytes.count)")
                }
            } else if checkFiles {
                reader.report(at, secretNode, "cannot read the secret file '\(file)'")
            }
        } else if usesHMAC {
            reader.report(ConfigReader.child(path, "algorithms"), node, "HS256/HS384/HS512 need secret_file (a key set's public key is never used as an HMAC secret)")
        }
        if provider.maxLifetime != nil, !provider.requireExpiry {
            reader.report(ConfigReader.child(path, "max_lifetime"), node, "needs require_exp: true (a lifetime is measured up to exp)")
        }
        return provider
    }

    package mutating func parseJWKSSource(_ node: Node, _ path: String) -> JWTProviderConfig.KeySetSource? {
        guard let entries = reader.mapping(node, path, allowed: ["file", "uri"]) else { return nil }
        guard entries.count == 1, let (key, value) = entries.first else {
            reader.report(path, node, "give exactly one of file or uri")
            return nil
        }
        let at = ConfigReader.child(path, key)
        guard let text = reader.string(value, at) else { return nil }
        if key == "file" {
            let resolved = resolve(text)
            if checkFiles, !FileManager.default.fileExists(atPath: resolved) {
                reader.report(at, value, "key set file '\(text)' does not exist" + (resolved != text ? " (looked at \(resolved))" : ""))
            }
            return .file(resolved)
        }
        if case .failure(let problem) = JWTKeySetURL.parse(text) {
            reader.report(at, value, problem.description)
            return nil
        }
        return .uri(text)
    }

    package mutating func parseClaimsToHeaders(_ node: Node, _ path: String) -> [String: String] {
        guard let entries = reader.mapping(node, path) else { return [:] }
        var result: [String: String] = [:]
        var claimed: [String: String] = [:]
        for (claim, value) in entries {
            let at = ConfigReader.child(path, claim)
            if claim.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                reader.report(at, value, "a claim path is names separated by dots, got '\(claim)'")
                continue
            }
            guard let name = reader.string(value, at), let header = checkedHeaderName(name, at, value) else { continue }
            if header == "authorization" {
                reader.report(at, value, "claims cannot be written into the authorization header")
                continue
            }
            if let other = claimed[header] {
                reader.report(at, value, "header '\(header)' is already set from claim '\(other)'")
                continue
            }
            claimed[header] = claim
            result[claim] = header
        }
        return result
    }

    /// A header name the edge may set or read: a lowercase token, not hop-by-hop or reserved.
    package mutating func checkedHeaderName(_ name: String, _ path: String, _ node: Node) -> String? {
        let lower = name.lowercased()
        let isToken = !lower.isEmpty && lower.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 || $0 == 46 }
        guard isToken else {
            reader.report(path, node, "'\(name)' is not a valid header name")
            return nil
        }
        if lower != "authorization", HopByHop.isReserved(lower) {
            reader.report(path, node, "'\(name)' is a hop-by-hop or reserved header")
            return nil
        }
        return lower
    }
}
