import JWTKit
import EdgeConfig

/// One public key of a set (or the configured HMAC secret), ready to verify: its
/// type and curve, and a jwt-kit verifier for each algorithm the provider allows
/// that the key can serve. Built off the request path.
package struct JWTVerificationKey: Sendable {
    /// `kid` (nil for a key without one, and for the secret).
    package let keyID: String?
    /// `RSA`, `EC P-256`, `OKP Ed25519`, `oct`: for messages.
    package let kind: String
    package let verifiers: [JWTSigningAlgorithm: any JWTAlgorithm]

    /// Whether `signature` signs `input` under `algorithm`; false when the key cannot
    /// serve that algorithm (the caller checks ``verifiers`` first for a clear message).
    package func verify(_ signature: [UInt8], signs input: ArraySlice<UInt8>, algorithm: JWTSigningAlgorithm) -> Bool {
        guard let verifier = verifiers[algorithm] else { return false }
        return (try? verifier.verify(signature, signs: input)) ?? false
    }
}
