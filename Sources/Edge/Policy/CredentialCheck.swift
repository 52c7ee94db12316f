import NIOCore

/// One kind of credential a route can require (`jwt:<name>`, `api_key`, `mtls`): finds it
/// in the request and verifies it, synchronously; what needs I/O first (a key set) asks to
/// wait and is checked again afterwards, without asking twice.
protocol CredentialCheck: Sendable {
    /// The name requirements use: `jwt:main`, `api_key`, `mtls`.
    var name: String { get }
    /// - Parameter mayWait: `false` when checking again after a wait: answer from what is there.
    func check(_ exchange: PolicyExchange, mayWait: Bool) -> CredentialResult
}

enum CredentialResult: Sendable {
    /// The request carries none.
    case missing
    case valid(Credential)
    /// Present but not acceptable: the error to answer with (401, or 503 when the edge
    /// cannot verify it at all).
    /// `reason`: a short fixed token for metrics (`expired`, `bad_signature`, `invalid_api_key`).
    case invalid(EdgeError, reason: String = "invalid")
    /// Check again (with `mayWait: false`) once the future completes.
    case pending(EventLoopFuture<Void>)
}

/// What a verified credential says about the caller.
struct Credential: Sendable {
    var name: String
    var consumer: String?
    var subject: String?
    /// Scopes granted (a token's `scope`/`scp`, in token order); `nil`: this credential carries none.
    var scopes: [String]?
    /// Claim values by dotted path, for claim requirements; `nil`: no claims.
    var claims: (any ClaimLookup)?
    /// Metadata for the backend (claims to headers, the consumer's name).
    var metadata: [(name: String, value: String)] = []
}

/// Claim values of a verified token by dotted path (`sub`, `realm.roles`); arrays as their elements.
protocol ClaimLookup: Sendable {
    func values(at path: String) -> [String]?
}
