import NIOHTTP1
import EdgeConfig

extension JWTTokenSource {
    /// The one token the request carries in `sources`: nil when there is none, a
    /// failure when there are two or more (even equal ones: which one would the backend
    /// have meant?) or when a source holds an empty token. Pure; allocation-free
    /// apart from the headers' own look-up.
    public static func extract(from headers: HTTPHeaders, uri: String, sources: [JWTTokenSource]) -> Result<Substring?, JWTFailure> {
        var found: Substring?
        var count = 0
        func take(_ token: Substring, _ source: JWTTokenSource) -> JWTFailure? {
            count += 1
            if count > 1 { return JWTFailure(.duplicateToken, "the request carries more than one token") }
            if token.isEmpty { return JWTFailure(.malformed, "the \(source) is empty") }
            found = token
            return nil
        }
        for source in sources {
            switch source {
            case .bearer:
                for (name, value) in headers where name.utf8.count == 13 && name.lowercased() == "authorization" {
                    guard let token = bearerToken(value[...]) else { continue }
                    if let failure = take(token, source) { return .failure(failure) }
                }
            case .header(let wanted):
                for (name, value) in headers where name.utf8.count == wanted.utf8.count && name.lowercased() == wanted {
                    let trimmed = trim(value[...])
                    if let failure = take(bearerToken(trimmed) ?? trimmed, source) { return .failure(failure) }
                }
            case .query(let wanted):
                guard let question = uri.firstIndex(of: "?") else { continue }
                var query = uri[uri.index(after: question)...]
                if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
                for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                    let equals = pair.firstIndex(of: "=") ?? pair.endIndex
                    guard pair[..<equals] == wanted else { continue }
                    let value = equals == pair.endIndex ? pair[equals...] : pair[pair.index(after: equals)...]
                    if let failure = take(value, source) { return .failure(failure) }
                }
            case .cookie(let wanted):
                for (name, value) in headers where name.utf8.count == 6 && name.lowercased() == "cookie" {
                    for crumb in value.split(separator: ";") {
                        let pair = trim(crumb)
                        guard let equals = pair.firstIndex(of: "="), pair[..<equals] == wanted else { continue }
                        var token = pair[pair.index(after: equals)...]
                        if token.count >= 2, token.first == "\"", token.last == "\"" { token = token.dropFirst().dropLast() }
                        if let failure = take(token, source) { return .failure(failure) }
                    }
                }
            }
        }
        return .success(found)
    }

    /// The token of a `Bearer` credential, or nil for another scheme.
    package static func bearerToken(_ value: Substring) -> Substring? {
        let trimmed = trim(value)
        guard trimmed.utf8.count >= 6 else { return nil }
        let scheme = trimmed.prefix(6)
        guard scheme.lowercased() == "bearer" else { return nil }
        let rest = trimmed.dropFirst(6)
        if rest.isEmpty { return rest }
        guard rest.first == " " || rest.first == "\t" else { return nil }
        return trim(rest)
    }

    package static func trim(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
