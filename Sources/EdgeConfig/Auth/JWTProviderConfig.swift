import NIOCore

/// One JWT provider as configured (`auth.jwt[]`): who issues the tokens, for whom,
/// signed how, with which keys, read from where. A plain value: two equal configs
/// make equivalent providers, so a reload can keep a provider (and its fetched keys)
/// whose configuration did not change.
public struct JWTProviderConfig: Sendable, Equatable {
    public enum KeySetSource: Sendable, Equatable, CustomStringConvertible {
        case file(String)
        /// `http://` or `https://`.
        case uri(String)

        public var description: String {
            switch self {
            case .file(let path): return "file \(path)"
            case .uri(let uri): return uri
            }
        }
    }

    public var name: String
    /// `iss` must equal this.
    public var issuer: String
    /// `aud` must name one of these (a string or an array); empty: not checked.
    public var audiences: [String] = []
    public var algorithms: [JWTSigningAlgorithm] = [.rs256]
    /// Where the public keys come from; nil only for a provider that uses HS* with a secret alone.
    public var keySet: KeySetSource?
    public var clockSkew: TimeAmount = .seconds(60)
    public var requireExpiry = true
    public var maxLifetime: TimeAmount?
    public var tokenSources: [JWTTokenSource] = [.bearer]
    /// Whether the token itself is passed on to the backend.
    public var forward = false
    /// Claim path (`sub`, `realm.roles`) → metadata header name (lowercase).
    public var claimsToHeaders: [String: String] = [:]
    /// The HS* secret's file, and its bytes (read when the configuration is loaded).
    public var secretFile: String?
    public var secret: [UInt8]?
    /// Verified tokens remembered per event loop (0: no cache).
    public var cacheSize = 1024
    /// How long fetched keys are used when the response has no `Cache-Control: max-age`.
    public var keySetCacheDuration: TimeAmount = .minutes(10)
    /// An unknown `kid` triggers a refetch only if the last fetch attempt is at least this old.
    public var refetchCooldown: TimeAmount = .seconds(30)
    /// One fetch of a key set URI, connect to last byte.
    public var fetchTimeout: TimeAmount = .seconds(10)
    /// How often a key set file is checked for changes.
    public var filePollInterval: TimeAmount = .seconds(2)

    public init(name: String, issuer: String) {
        self.name = name
        self.issuer = issuer
    }

    /// Configuration defaults and ranges, shared by the parser and its messages.
    public static let maxCacheSize = 1_000_000
}
