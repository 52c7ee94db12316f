import EdgeCore

/// Authentication and authorization for one route: the credentials its
/// ``AuthRequirement`` names (any of them, or all), then its required scopes and claim
/// values. Missing or bad credentials: `401 UNAUTHENTICATED` (with `WWW-Authenticate`);
/// valid but not allowed: `403 PERMISSION_DENIED`; credentials the edge cannot check at
/// all (no key set yet): `503 UNAVAILABLE`. Preflights pass (they carry no credentials).
package struct AuthPolicy: RequestPolicy {
    package var name: String { "auth" }

    package let checks: [any CredentialCheck]
    package let requireAll: Bool
    package let allowMissing: Bool
    package let scopes: [String]
    package let claims: [(path: String, values: Set<String>)]

    package func evaluate(_ exchange: inout PolicyExchange) -> PolicyVerdict {
        evaluate(&exchange, mayWait: true)
    }

    /// After a wait, the checks answer from what they have (a key set fetched or not).
    private func evaluate(_ exchange: inout PolicyExchange, mayWait: Bool) -> PolicyVerdict {
        if exchange.isPreflight { return .proceed }
        var verified: [Credential] = []
        verified.reserveCapacity(checks.count)
        var firstFailure: EdgeError?
        var failureReason = "invalid"
        var missing: [String] = []
        for check in checks {
            switch check.check(exchange, mayWait: mayWait) {
            case .pending(let future):
                let policy = self
                return .suspend(future.map { PolicyResume { exchange in policy.evaluate(&exchange, mayWait: false) } })
            case .missing:
                missing.append(check.name)
            case .invalid(let error, let reason):
                // A failure the edge itself is to blame for (503) outranks the client's.
                if firstFailure == nil || (error.code == .unavailable && firstFailure?.code != .unavailable) {
                    firstFailure = error
                    failureReason = reason
                }
            case .valid(let credential):
                verified.append(credential)
            }
        }
        if requireAll {
            if let firstFailure { return refuse(firstFailure, failureReason, &exchange) }
            if !missing.isEmpty, !(allowMissing && verified.isEmpty) {
                return refuse(Self.missing(missing), "missing_credentials", &exchange)
            }
        } else if verified.isEmpty {
            if let firstFailure { return refuse(firstFailure, failureReason, &exchange) }
            if !allowMissing { return refuse(Self.missing(missing), "missing_credentials", &exchange) }
        }
        if let (refusal, reason) = authorize(verified, anonymous: verified.isEmpty) { return refuse(refusal, reason, &exchange) }
        // One allocation each for what the credentials add, not one per growth.
        exchange.identity.verified.reserveCapacity(exchange.identity.verified.count + verified.count)
        exchange.metadata.reserveCapacity(exchange.metadata.count + verified.reduce(0) { $0 + $1.metadata.count })
        for credential in verified {
            exchange.identity.verified.append(credential.name)
            if let consumer = credential.consumer { exchange.identity.consumer = consumer }
            if let subject = credential.subject { exchange.identity.subject = subject }
            exchange.metadata.append(contentsOf: credential.metadata)
        }
        return .proceed
    }

    private func refuse(_ error: EdgeError, _ reason: String, _ exchange: inout PolicyExchange) -> PolicyVerdict {
        exchange.refusalReason = reason
        return .refuse(error)
    }

    /// Scopes and claim values: any verified credential may carry them.
    private func authorize(_ verified: [Credential], anonymous: Bool) -> (EdgeError, reason: String)? {
        guard !scopes.isEmpty || !claims.isEmpty else { return nil }
        if anonymous {
            return (
                EdgeError(code: .unauthenticated, message: "this route requires credentials with scopes or claims; none were sent"),
                "missing_credentials"
            )
        }
        let granted = verified.reduce(into: Set<String>()) { $0.formUnion($1.scopes ?? []) }
        if let absent = scopes.first(where: { !granted.contains($0) }) {
            return (EdgeError(code: .permissionDenied, message: "the credentials lack the scope '\(absent)'"), "insufficient_scope")
        }
        for (path, accepted) in claims {
            let found = verified.contains { credential in
                credential.claims?.values(at: path)?.contains(where: accepted.contains) == true
            }
            if !found {
                return (EdgeError(code: .permissionDenied, message: "the credentials' claim '\(path)' has no accepted value"), "claim_not_accepted")
            }
        }
        return nil
    }

    package static func missing(_ names: [String]) -> EdgeError {
        EdgeError(
            code: .unauthenticated, message: "missing credentials: this route requires \(names.joined(separator: ", "))",
            headers: [("www-authenticate", "Bearer")])
    }
}
