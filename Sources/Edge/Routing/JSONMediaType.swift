/// Decides whether a `Content-Type` names JSON: `application/json` or any
/// `*/*+json`, with no charset or `charset=utf-8` (case-insensitive, quotes allowed).
public enum JSONMediaType {
    public static func isJSON(_ contentType: String) -> Bool {
        var parts = contentType.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
        guard let mediaType = parts.next() else { return false }
        let type = mediaType.trimmingSpaces().lowercased()
        guard type == "application/json" || isStructuredJSON(type) else { return false }
        while let parameter = parts.next() {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return false }
            let name = pair[0].trimmingSpaces().lowercased()
            guard name == "charset" else { continue }
            var value = pair[1].trimmingSpaces()
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            let charset = value.lowercased()
            guard charset == "utf-8" || charset == "utf8" else { return false }
        }
        return true
    }

    /// `application/x-ndjson`, `application/ndjson` or `application/jsonl` (parameters ignored):
    /// a request body of newline-delimited messages.
    public static func isNDJSON(_ contentType: String) -> Bool {
        let type = (contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingSpaces().lowercased()
        return type == "application/x-ndjson" || type == "application/ndjson" || type == "application/jsonl"
    }

    private static func isStructuredJSON(_ type: String) -> Bool {
        guard type.hasSuffix("+json") else { return false }
        let slash = type.split(separator: "/", omittingEmptySubsequences: false)
        return slash.count == 2 && !slash[0].isEmpty && slash[1].count > 5
    }
}
