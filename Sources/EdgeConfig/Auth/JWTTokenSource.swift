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
}
