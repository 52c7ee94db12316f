import NIOHTTP1

/// Where a provider looks for its token. `Authorization: Bearer` by default.
public enum JWTTokenSource: Sendable, Hashable, CustomStringConvertible {
    /// `Authorization: Bearer <token>` (the scheme case-insensitive, RFC 6750 §2.1).
    case bearer
    /// The whole value of a header (an optional `Bearer ` prefix is accepted).
    case header(String)
    case query(String)
    case cookie(String)

    public var description: String {
        switch self {
        case .bearer: return "Authorization: Bearer"
        case .header(let name): return "header \(name)"
        case .query(let name): return "query parameter \(name)"
        case .cookie(let name): return "cookie \(name)"
        }
    }

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
    static func bearerToken(_ value: Substring) -> Substring? {
        let trimmed = trim(value)
        let utf8 = trimmed.utf8
        guard utf8.count >= 6 else { return nil }
        // The scheme's six ASCII letters, by their bytes: they are six whole characters when
        // the byte after them is ASCII too (else the character-wise comparison decides).
        var end = utf8.startIndex
        var matches = true
        for expected in "bearer".utf8 {
            if utf8[end] | 0x20 != expected { matches = false }
            end = utf8.index(after: end)
        }
        let rest: Substring
        if matches, end == utf8.endIndex || utf8[end] < 0x80 {
            rest = trimmed[end...]
        } else {
            guard trimmed.prefix(6).lowercased() == "bearer" else { return nil }
            rest = trimmed.dropFirst(6)
        }
        if rest.isEmpty { return rest }
        guard rest.first == " " || rest.first == "\t" else { return nil }
        return trim(rest)
    }

    /// `text` without leading and trailing spaces and tabs (whole characters: a space that a
    /// combining mark follows, or that a prepended mark precedes, is not white space alone).
    /// By bytes while the neighbours are ASCII, so a long token is not walked character by character.
    static func trim(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 {
            let next = utf8.index(after: start)
            guard next == end || utf8[next] < 0x80 else { break }
            start = next
        }
        while start < end {
            let last = utf8.index(before: end)
            guard utf8[last] == 0x20 || utf8[last] == 0x09, last == start || utf8[utf8.index(before: last)] < 0x80 else { break }
            end = last
        }
        let trimmed = text[start..<end]
        // A space or tab left at either end had a non-ASCII neighbour: decide by characters.
        if start < end, utf8[start] == 0x20 || utf8[start] == 0x09 || utf8[utf8.index(before: end)] == 0x20
            || utf8[utf8.index(before: end)] == 0x09
        {
            return trimCharacters(trimmed)
        }
        return trimmed
    }

    /// The character-wise trim, for what the byte-wise one leaves.
    private static func trimCharacters(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
