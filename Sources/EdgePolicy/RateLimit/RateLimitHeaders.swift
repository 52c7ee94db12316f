import EdgeConfig

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
    // Each field is written into one `String` (no list of items joined, no interpolation):
    // they are built for every response of a limited route.

    public static func policy(_ decision: RateLimitDecision) -> String? {
        policy(decision.checks.lazy.map(\.definition))
    }

    /// `RateLimit-Policy` of requests that all of `definitions` apply to, in this order (computed
    /// once per route: it does not change from request to request).
    public static func policy(_ definitions: some Sequence<RateLimitDefinition>) -> String? {
        var out = ""
        for definition in definitions where definition.mode == .enforce {
            let window: Int64
            if let gcra = definition.gcra {
                window = max(1, seconds(gcra.emissionInterval * gcra.burst))
            } else {
                window = definition.rate.period.nominalSeconds
            }
            if out.isEmpty { out.reserveCapacity(32 + 2 * definition.name.utf8.count) } else { out += ", " }
            appendSFString(definition.name, to: &out)
            out += ";q="
            out += String(definition.burst)
            out += ";w="
            out += String(window)
        }
        return out.isEmpty ? nil : out
    }

    public static func state(_ decision: RateLimitDecision) -> String? {
        // Written as bytes into one string of a size known up front: built for every response of
        // a limited route (appending piece by piece cost ~0.5 µs a response).
        var capacity = 0
        for check in decision.checks where check.definition.mode == .enforce {
            capacity += 2 * check.definition.name.utf8.count + 2 + 2 + 3 + 20 + 3 + 20
        }
        guard capacity > 0 else { return nil }
        let passed = decision.allowed
        return String(unsafeUninitializedCapacity: capacity) { bytes in
            // Bytes into memory reserved up front, digits without a `String`.
            var out = ReservedByteWriter(UnsafeMutableRawBufferPointer(bytes))
            for index in decision.checks.indices where decision.checks[index].definition.mode == .enforce {
                let check = decision.checks[index]
                let outcome = decision.outcomes[index]
                let reset = outcome.allowed ? outcome.resetAfter : outcome.retryAfter
                // A rejected request consumed nothing: a limit that would have allowed it still has this unit.
                let remaining = outcome.allowed && !passed ? outcome.remaining + 1 : outcome.remaining
                if out.count > 0 { out.ascii(", ") }
                out.byte(UInt8(ascii: "\""))
                for byte in check.definition.name.utf8 where byte >= 0x20 && byte < 0x7F {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.byte(UInt8(ascii: "\\")) }
                    out.byte(byte)
                }
                out.ascii("\";r=")
                out.decimal(max(0, remaining))
                out.ascii(";t=")
                out.decimal(seconds(reset))
            }
            return out.count
        }
    }

    /// Whole seconds, rounded up (a client that waits this long is allowed).
    public static func seconds(_ micros: Int64) -> Int64 { micros <= 0 ? 0 : (micros + 999_999) / 1_000_000 }

    /// `Retry-After` for a rejected decision: at least 1 second.
    public static func retryAfter(_ decision: RateLimitDecision) -> String { String(max(1, seconds(decision.retryAfter))) }

    /// The fields of a response to a request these limits allowed (`nil`s left out).
    /// `policyOfAll`: `policy(_:)` of the route's definitions and their number, used when all of them applied.
    public static func fields(_ decision: RateLimitDecision, policyOfAll: (count: Int, value: String?)? = nil) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        appendFields(decision, policyOfAll: policyOfAll, to: &fields)
        return fields
    }

    /// ``fields(_:policyOfAll:)`` appended to `headers` (no list of its own per response).
    public static func appendFields(
        _ decision: RateLimitDecision, policyOfAll: (count: Int, value: String?)? = nil, to headers: inout [(name: String, value: String)]
    ) {
        headers.reserveCapacity(headers.count + 2)
        let policy = policyOfAll.flatMap { $0.count == decision.checks.count ? $0.value : nil } ?? policy(decision)
        if let policy { headers.append(("ratelimit-policy", policy)) }
        if let state = state(decision) { headers.append(("ratelimit", state)) }
    }

    /// A Structured Fields string: printable ASCII, `"` and `\` escaped; anything else dropped.
    package static func sfString(_ text: String) -> String {
        var out = ""
        appendSFString(text, to: &out)
        return out
    }

    package static func appendSFString(_ text: String, to out: inout String) {
        out += "\""
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += text
        } else {
            for byte in text.utf8 where byte >= 0x20 && byte < 0x7F {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append("\\") }
                out.append(Character(Unicode.Scalar(byte)))
            }
        }
        out += "\""
    }
}
