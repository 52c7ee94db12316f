/// The IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers, Structured
/// Fields lists of named quota policies) and `Retry-After`, computed from a decision.
///
/// One list member per enforcing limit (shadow limits stay invisible to clients), named after it:
/// `RateLimit-Policy: "per-client";q=20;w=2` — the quota `q` is the burst (the bucket's size) and the
/// window `w` the seconds the bucket takes to refill from empty; for calendar quotas `q` is the quota and
/// `w` the period (a month counts 30 days). `RateLimit: "per-client";r=19;t=1` — `r` units left,
/// `t` seconds until the quota is back (the full bucket while units are left, the next unit when
/// none is), so on a 429 `t` equals `Retry-After`.
public enum RateLimitHeaders {
    public static func policy(_ decision: RateLimitDecision) -> String? {
        var items: [String] = []
        for check in decision.checks where check.definition.mode == .enforce {
            let definition = check.definition
            let window: Int64
            if let gcra = definition.gcra {
                window = max(1, seconds(gcra.emissionInterval * gcra.burst))
            } else {
                window = definition.rate.period.nominalSeconds
            }
            items.append(sfString(definition.name) + ";q=\(definition.burst);w=\(window)")
        }
        return items.isEmpty ? nil : items.joined(separator: ", ")
    }

    public static func state(_ decision: RateLimitDecision) -> String? {
        var items: [String] = []
        let passed = decision.allowed
        for (check, outcome) in zip(decision.checks, decision.outcomes) where check.definition.mode == .enforce {
            let reset = outcome.allowed ? outcome.resetAfter : outcome.retryAfter
            // A rejected request consumed nothing: a limit that would have allowed it still has this unit.
            let remaining = outcome.allowed && !passed ? outcome.remaining + 1 : outcome.remaining
            items.append(sfString(check.definition.name) + ";r=\(remaining);t=\(seconds(reset))")
        }
        return items.isEmpty ? nil : items.joined(separator: ", ")
    }

    /// Whole seconds, rounded up (a client that waits this long is allowed).
    public static func seconds(_ micros: Int64) -> Int64 { micros <= 0 ? 0 : (micros + 999_999) / 1_000_000 }

    /// `Retry-After` for a rejected decision: at least 1 second.
    public static func retryAfter(_ decision: RateLimitDecision) -> String { String(max(1, seconds(decision.retryAfter))) }

    /// The fields of a response to a request these limits allowed (`nil`s left out).
    public static func fields(_ decision: RateLimitDecision) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        if let policy = policy(decision) { fields.append(("ratelimit-policy", policy)) }
        if let state = state(decision) { fields.append(("ratelimit", state)) }
        return fields
    }

    /// A Structured Fields string: printable ASCII, `"` and `\` escaped; anything else dropped.
    package static func sfString(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 where byte >= 0x20 && byte < 0x7F {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append("\\") }
            out.append(Character(Unicode.Scalar(byte)))
        }
        return out + "\""
    }
}
