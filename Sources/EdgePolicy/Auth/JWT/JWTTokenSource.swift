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
        var trimmed = trim(value)
        // The scheme's six ASCII letters, by their bytes: they are six whole characters when
        // the byte after them is ASCII too (else the character-wise comparison decides).
        let scheme = trimmed.withUTF8 { bytes -> Bool? in
            guard bytes.count >= 6 else { return false }
            var matches = true
            for (offset, expected) in "bearer".utf8.enumerated() where bytes[offset] | 0x20 != expected { matches = false }
            guard bytes.prefix(7).allSatisfy({ $0 < 0x80 }) else { return matches ? nil : (bytes.prefix(6).allSatisfy { $0 < 0x80 } ? false : nil) }
            return matches
        }
        let rest: Substring
        switch scheme {
        case false?: return nil
        case true?: rest = trimmed[trimmed.utf8.index(trimmed.startIndex, offsetBy: 6)...]
        case nil:
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
    package static func trim(_ text: Substring) -> Substring {
        var text = text
        let (start, end, count, undecided) = text.withUTF8 { bytes -> (Int, Int, Int, Bool) in
            func blank(_ index: Int) -> Bool { bytes[index] == 0x20 || bytes[index] == 0x09 }
            var start = 0
            var end = bytes.count
            while start < end, blank(start), start + 1 == end || bytes[start + 1] < 0x80 { start += 1 }
            while start < end, blank(end - 1), end - 1 == start || bytes[end - 2] < 0x80 { end -= 1 }
            // A space or tab left at either end has a non-ASCII neighbour: characters decide.
            return (start, end, bytes.count, start < end && (blank(start) || blank(end - 1)))
        }
        if start == 0, end == count, !undecided { return text }
        let utf8 = text.utf8
        let trimmed = text[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]
        return undecided ? trimCharacters(trimmed) : trimmed
    }

    /// The character-wise trim, for what the byte-wise one leaves.
    private static func trimCharacters(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
