import EdgeCore
import EdgeConfig
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `api_key` credential: a key in the configured header (or query parameter),
/// looked up in the keys file's digests; the consumer's name becomes metadata.
package struct APIKeyCheck: CredentialCheck {
    package var name: String { "api_key" }

    package let header: String?
    package let query: String?
    package let table: APIKeyTable
    package let consumerHeader: String

    package func check(_ exchange: PolicyExchange, mayWait: Bool) -> CredentialResult {
        var keys: [Substring] = []
        if let header {
            // Whole field values (no comma splitting, no allocation per part): a key has no commas.
            // Spaces and tabs trimmed as `trimmingSpaces()` does, by bytes where that is the same.
            for value in exchange.head.headers[header] { keys.append(JWTTokenSource.trim(Substring(value))) }
        }
        if let query { keys.append(contentsOf: QueryValues.values(named: query, in: exchange.head.uri)) }
        guard let key = keys.first else { return .missing }
        guard keys.count == 1 else { return .invalid(Self.refusal("more than one API key in the request"), reason: "duplicate_api_key") }
        guard !key.isEmpty else { return .invalid(Self.refusal("empty API key"), reason: "invalid_api_key") }
        switch table.lookup(key, now: Int64(time(nil))) {
        case .consumer(let consumer):
            return .valid(Credential(name: name, consumer: consumer, metadata: [(consumerHeader, consumer)]))
        case .expired:
            return .invalid(Self.refusal("API key expired"), reason: "expired_api_key")
        case .unknown:
            return .invalid(Self.refusal("invalid API key"), reason: "invalid_api_key")
        }
    }

    package static func refusal(_ message: String) -> EdgeError {
        EdgeError(code: .unauthenticated, message: message, headers: [("www-authenticate", "ApiKey")])
    }
}

/// The raw values of one query parameter in a request target (for credentials in the query).
package enum QueryValues {
    package static func values(named name: String, in uri: String) -> [Substring] {
        guard let mark = uri.firstIndex(of: "?") else { return [] }
        var result: [Substring] = []
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { result.append(parts.count == 2 ? parts[1] : "") }
        }
        return result
    }
}
