/// One part of a limit's key (`key: [client_ip, header:x-tenant]`): what makes two requests share a bucket.
public enum RateLimitKeyPart: Sendable, Hashable, CustomStringConvertible {
    /// The client address, as resolved through the trusted proxies.
    case clientIP
    /// The API-key consumer's name.
    case consumer
    /// A verified JWT claim (`claim:sub`).
    case claim(String)
    /// A request header (`header:x-tenant`), names compared case-insensitively.
    case header(String)
    /// The matched route (`GET /v1/products/{id}`), not the concrete path.
    case route
    /// The gRPC method the route calls.
    case method

    /// `client_ip`, `consumer`, `claim:NAME`, `header:NAME`, `route`, `method`; `nil` for anything else.
    public init?(configName text: String) {
        switch text {
        case "client_ip": self = .clientIP
        case "consumer": self = .consumer
        case "route": self = .route
        case "method": self = .method
        default:
            if text.hasPrefix("claim:"), text.count > 6 {
                self = .claim(String(text.dropFirst(6)))
            } else if text.hasPrefix("header:"), text.count > 7, text.dropFirst(7).allSatisfy(Self.isTokenCharacter) {
                self = .header(String(text.dropFirst(7)).lowercased())
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .clientIP: return "client_ip"
        case .consumer: return "consumer"
        case .claim(let name): return "claim:\(name)"
        case .header(let name): return "header:\(name)"
        case .route: return "route"
        case .method: return "method"
        }
    }

    private static func isTokenCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "!#$%&'*+-.^_`|~".contains(character))
    }
}
