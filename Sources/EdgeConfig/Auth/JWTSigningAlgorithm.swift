/// The JWS `alg` values a provider may allow (RFC 7518 §3, RFC 8037). `none` is
/// not one of them: it can never be configured, and a token naming it in any
/// spelling is rejected.
public enum JWTSigningAlgorithm: String, Sendable, Hashable, CaseIterable {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"
    case eddsa = "EdDSA"
    case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"

    /// The `kty` and, for elliptic curves, the `crv` a key must have to verify this algorithm.
    public var keyType: String {
        switch self {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: return "RSA"
        case .es256, .es384, .es512: return "EC"
        case .eddsa: return "OKP"
        case .hs256, .hs384, .hs512: return "oct"
        }
    }

    public var curve: String? {
        switch self {
        case .es256: return "P-256"
        case .es384: return "P-384"
        case .es512: return "P-521"
        case .eddsa: return "Ed25519"
        default: return nil
        }
    }

    /// HMAC: verified with the provider's configured secret only, never with a key from the set.
    public var isHMAC: Bool { keyType == "oct" }

    /// The smallest secret RFC 7518 §3.2 allows: as long as the hash.
    public var minimumSecretBytes: Int {
        switch self {
        case .hs256: return 32
        case .hs384: return 48
        case .hs512: return 64
        default: return 0
        }
    }
}
