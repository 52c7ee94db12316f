/// A token whose signature and claims checked out: what the auth rules and the
/// claim-to-metadata mapping read. Immutable; shared by the verified-token cache.
public final class VerifiedJWT: Sendable {
    /// The provider that verified it (its configured name).
    public let provider: String
    public let subject: String?
    public let issuer: String?
    /// `exp` in seconds since the epoch (nil only when the provider does not require it).
    public let expiry: Double?
    /// `scope` (space-separated) or `scp` (array, or space-separated string), in token order.
    public let scopes: [String]
    /// The `kid` of the key that verified it (nil for a token without `kid`, or an HMAC one).
    public let keyID: String?
    /// The whole claims set.
    public let claims: [String: JWTJSONValue]

    package init(provider: String, keyID: String?, claims: [String: JWTJSONValue]) {
        self.provider = provider
        self.keyID = keyID
        self.claims = claims
        self.subject = claims["sub"]?.string
        self.issuer = claims["iss"]?.string
        self.expiry = claims["exp"]?.double
        self.scopes = Self.scopes(claims)
    }

    /// The claim at a dotted path (`sub`, `realm.roles`).
    public func claim(_ path: Substring) -> JWTJSONValue? {
        guard let dot = path.firstIndex(of: ".") else { return claims[String(path)] }
        return claims[String(path[..<dot])]?.value(atPath: path[path.index(after: dot)...])
    }

    /// The claim as text (``JWTJSONValue/text``: arrays comma-joined).
    public func claimText(_ path: Substring) -> String? { claim(path)?.text }

    /// The claim as a header value: ``claimText(_:)`` when it is printable ASCII
    /// (what an HTTP/2 metadata value may hold), nil otherwise — a claim with a line
    /// break or other control character is never written into a header.
    public func claimHeaderValue(_ path: Substring) -> String? {
        guard let text = claimText(path), text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return text
    }

    public func hasScope(_ scope: String) -> Bool { scopes.contains(scope) }

    package static func scopes(_ claims: [String: JWTJSONValue]) -> [String] {
        var result: [String] = []
        for name in ["scope", "scp"] {
            switch claims[name] {
            case .string(let text)?: result += text.split(separator: " ").map(String.init)
            case .array(let items)?: result += items.compactMap(\.string)
            default: break
            }
        }
        return result
    }
}
