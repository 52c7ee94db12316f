/// The origins a CORS configuration allows: exact (`https://app.example.com`), a wildcard
/// for one or more leading labels (`https://*.example.com`, which does not match the bare
/// `https://example.com`), or any (`*`). Compared case-insensitively, ports included.
public struct CORSOrigins: Sendable, Equatable {
    public let any: Bool
    private let exact: Set<String>
    /// (scheme + "://", "." + parent domain[:port]) pairs.
    private let wildcards: [(prefix: String, suffix: String)]

    public init(_ patterns: [String]) {
        var any = false
        var exact: Set<String> = []
        var wildcards: [(String, String)] = []
        for pattern in patterns.map({ $0.lowercased() }) {
            if pattern == "*" {
                any = true
            } else if let star = pattern.firstRange(of: "://*.") {
                wildcards.append((String(pattern[..<star.lowerBound]) + "://", String(pattern[pattern.index(before: star.upperBound)...])))
            } else {
                exact.insert(pattern)
            }
        }
        self.any = any
        self.exact = exact
        self.wildcards = wildcards
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.any == rhs.any && lhs.exact == rhs.exact && lhs.wildcards.elementsEqual(rhs.wildcards, by: { $0 == $1 })
    }

    public func allows(_ origin: String) -> Bool {
        if any { return true }
        // Browsers send origins in lower case: most requests are decided without lowercasing (a copy).
        if exact.contains(origin) { return true }
        let origin = origin.lowercased()
        if exact.contains(origin) { return true }
        for (prefix, suffix) in wildcards where origin.hasPrefix(prefix) && origin.hasSuffix(suffix) {
            let host = origin.dropFirst(prefix.count).dropLast(suffix.count)
            if !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }), host.first != ".", host.last != "." {
                return true
            }
        }
        return false
    }

    /// Why a configured origin pattern cannot be used, or `nil`.
    public static func problem(_ pattern: String) -> String? {
        if pattern == "*" { return nil }
        guard let schemeEnd = pattern.firstRange(of: "://"), schemeEnd.lowerBound > pattern.startIndex else {
            return "an origin is scheme://host[:port] (https://app.example.com), a wildcard (https://*.example.com) or *; got '\(pattern)'"
        }
        let rest = pattern[schemeEnd.upperBound...]
        if rest.isEmpty || rest.contains("/") { return "an origin has no path: '\(pattern)'" }
        if rest.contains("*") {
            guard rest.hasPrefix("*."), !rest.dropFirst(2).contains("*"), rest.count > 2 else {
                return "a wildcard origin stands for leading labels only, as https://*.example.com; got '\(pattern)'"
            }
        }
        return nil
    }
}
