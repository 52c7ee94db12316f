import EdgeConfig
import EdgeUpstream

/// The decision for one token, pure: given the keys in hand and the time, the token
/// is verified, rejected, or names a `kid` the keys do not have (the provider may
/// then refetch). Checks, in order: shape and header (``JWTTokenParts``), `alg` in
/// the provider's list, the key (by `kid` only, never a default; matching the
/// algorithm's type and curve), the signature (jwt-kit), then the claims.
package struct JWTTokenVerifier: Sendable {
    package enum Outcome {
        case verified(VerifiedJWT)
        case rejected(JWTFailure)
        /// The token names a key the set does not hold (or there is no set yet).
        case keyNotFound(keyID: String?)
    }

    package let name: String
    package let issuer: String
    package let audiences: Set<String>
    package let algorithms: Set<JWTSigningAlgorithm>
    package let clockSkew: Double
    package let requireExpiry: Bool
    package let maxLifetime: Double?
    /// An HMAC secret is configured (it may not be built yet: then the token waits like one for an unfetched key).
    package let hasSecret: Bool

    package init(config: JWTProviderConfig) {
        self.name = config.name
        self.issuer = config.issuer
        self.audiences = Set(config.audiences)
        self.algorithms = Set(config.algorithms)
        self.clockSkew = Double(config.clockSkew.nanoseconds) / 1e9
        self.requireExpiry = config.requireExpiry
        self.maxLifetime = config.maxLifetime.map { Double($0.nanoseconds) / 1e9 }
        self.hasSecret = config.secret != nil
    }

    package func verify(_ token: Substring, keys: JWTKeySet?, secret: JWTVerificationKey?, now: Double) -> Outcome {
        let parts: JWTTokenParts
        switch JWTTokenParts.parse(token) {
        case .success(let parsed): parts = parsed
        case .failure(let failure): return .rejected(failure)
        }
        guard let algorithm = JWTSigningAlgorithm(rawValue: parts.algorithm), algorithms.contains(algorithm) else {
            let allowed = algorithms.map(\.rawValue).sorted().joined(separator: ", ")
            return .rejected(JWTFailure(.algorithmNotAllowed, "alg \(parts.algorithm.prefix(16)) is not allowed (allowed: \(allowed))"))
        }

        let key: JWTVerificationKey
        if algorithm.isHMAC {
            // Only the configured secret; a key set's public key is never an HMAC secret.
            if secret == nil, hasSecret { return .keyNotFound(keyID: nil) }
            guard let secret, secret.verifiers[algorithm] != nil else {
                return .rejected(JWTFailure(.algorithmNotAllowed, "alg \(algorithm.rawValue) needs a configured secret"))
            }
            key = secret
        } else if let kid = parts.keyID {
            guard let candidates = keys?.byKeyID[kid] else { return .keyNotFound(keyID: kid) }
            guard let match = candidates.first(where: { $0.verifiers[algorithm] != nil }) else {
                let kinds = candidates.map(\.kind).joined(separator: ", ")
                return .rejected(JWTFailure(.algorithmNotAllowed, "alg \(algorithm.rawValue) does not match key \"\(kid.prefix(64))\" (\(kinds))"))
            }
            key = match
        } else {
            // No kid: every key of the set that can serve the algorithm is a candidate;
            // the signature must verify under one of them. Still no default key.
            guard let keys else { return .keyNotFound(keyID: nil) }
            let candidates = keys.all.filter { $0.verifiers[algorithm] != nil }
            guard !candidates.isEmpty else {
                return .rejected(JWTFailure(.algorithmNotAllowed, "no key in the set serves alg \(algorithm.rawValue)"))
            }
            guard let match = candidates.first(where: { $0.verify(parts.signature, signs: parts.signingInput, algorithm: algorithm) }) else {
                return .rejected(JWTFailure(.badSignature, "the signature does not verify"))
            }
            return checkClaims(parts, keyID: match.keyID, now: now)
        }
        guard key.verify(parts.signature, signs: parts.signingInput, algorithm: algorithm) else {
            return .rejected(JWTFailure(.badSignature, "the signature does not verify"))
        }
        return checkClaims(parts, keyID: key.keyID, now: now)
    }

    /// The registered claims (RFC 7519 §4.1) against the configuration, `clockSkew`
    /// on each side: valid while `now < exp + skew`, from `nbf - skew`, `iat` at most
    /// `now + skew`.
    package func checkClaims(_ parts: JWTTokenParts, keyID: String?, now: Double) -> Outcome {
        let claims = parts.claims
        func numericDate(_ name: String) -> Result<Double?, JWTFailure> {
            guard let value = claims[name] else { return .success(nil) }
            guard let seconds = value.double, seconds.isFinite else {
                return .failure(JWTFailure(.malformed, "the \(name) claim is not a number"))
            }
            return .success(seconds)
        }
        let expiry: Double?
        let notBefore: Double?
        let issuedAt: Double?
        switch (numericDate("exp"), numericDate("nbf"), numericDate("iat")) {
        case (.success(let exp), .success(let nbf), .success(let iat)):
            expiry = exp
            notBefore = nbf
            issuedAt = iat
        case (.failure(let failure), _, _), (_, .failure(let failure), _), (_, _, .failure(let failure)):
            return .rejected(failure)
        }

        guard case .string(let tokenIssuer)? = claims["iss"], tokenIssuer == issuer else {
            return .rejected(JWTFailure(.wrongIssuer, claims["iss"] == nil ? "the token has no iss claim" : "the token's issuer is not \(issuer)"))
        }
        if !audiences.isEmpty {
            switch claims["aud"] {
            case nil:
                return .rejected(JWTFailure(.wrongAudience, "the token has no aud claim"))
            case .string(let audience)?:
                guard audiences.contains(audience) else { return .rejected(wrongAudience()) }
            case .array(let items)?:
                guard items.contains(where: { $0.string.map(audiences.contains) ?? false }) else { return .rejected(wrongAudience()) }
            default:
                return .rejected(JWTFailure(.wrongAudience, "the token's aud claim is neither a string nor an array"))
            }
        }

        if let expiry {
            guard now < expiry + clockSkew else { return .rejected(JWTFailure(.expired, "the token has expired")) }
        } else if requireExpiry {
            return .rejected(JWTFailure(.missingExpiry, "the token has no exp claim"))
        }
        if let notBefore, now + clockSkew < notBefore {
            return .rejected(JWTFailure(.notYetValid, "the token is not valid yet (nbf)"))
        }
        if let issuedAt, issuedAt > now + clockSkew {
            return .rejected(JWTFailure(.issuedInFuture, "the token was issued in the future (iat)"))
        }
        if let maxLifetime {
            guard let expiry else { return .rejected(JWTFailure(.missingExpiry, "the token has no exp claim (a maximum lifetime is set)")) }
            let lifetime = expiry - (issuedAt ?? notBefore ?? now)
            if lifetime > maxLifetime {
                return .rejected(JWTFailure(.lifetimeTooLong, "the token's lifetime (\(Int(lifetime))s) exceeds the maximum of \(Int(maxLifetime))s"))
            }
        }
        return .verified(VerifiedJWT(provider: name, keyID: keyID, claims: claims))
    }

    private func wrongAudience() -> JWTFailure {
        JWTFailure(.wrongAudience, "the token's audience is not one of: " + audiences.sorted().joined(separator: ", "))
    }
}
