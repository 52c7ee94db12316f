import NIOCore
import EdgeCore

/// One kind of credential a route can require (`jwt:<name>`, `api_key`, `mtls`): finds it
/// in the request and verifies it, synchronously; what needs I/O first (a key set) asks to
/// wait and is checked again afterwards, without asking twice.
package protocol CredentialCheck: Sendable {
    /// The name requirements use: `jwt:main`, `api_key`, `mtls`.
    var name: String { get }
    /// - Parameter mayWait: `false` when checking again after a wait: answer from what is there.
    func check(_ exchange: PolicyExchange, mayWait: Bool) -> CredentialResult
}

package enum CredentialResult: Sendable {
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
package struct Credential: Sendable {
    package var name: String
    package var consumer: String?
    package var subject: String?
    /// Scopes granted (a token's `scope`/`scp`, in token order); `nil`: this credential carries none.
    package var scopes: [String]?
    /// Claim values by dotted path, for claim requirements; `nil`: no claims.
    package var claims: (any ClaimLookup)?
    /// Metadata for the backend (claims to headers, the consumer's name).
    package var metadata: [(name: String, value: String)] = []
}

/// Claim values of a verified token by dotted path (`sub`, `realm.roles`); arrays as their elements.
package protocol ClaimLookup: Sendable {
    func values(at path: String) -> [String]?
}
