import Foundation
import JWTKit
import EdgeConfig

/// A parsed JSON Web Key Set (RFC 7517 §5), immutable: keys by `kid`, each turned
/// into jwt-kit verifiers for the provider's algorithms. A key this edge cannot use
/// (another `kty` or curve, `use: enc`, an algorithm the provider does not allow,
/// RSA under 2048 bits, bad numbers) is skipped and named in ``skipped``, not fatal
/// for the set; a set with no usable key at all is an error.
package struct JWTKeySet: Sendable {
    /// By `kid`; one `kid` may name keys of different types (RFC 7517 §4.5).
    package let byKeyID: [String: [JWTVerificationKey]]
    /// Every key, in set order: the candidates for a token without `kid`.
    package let all: [JWTVerificationKey]
    /// Why each skipped key was skipped (`keys[2] (kid "x"): kty oct is not supported`).
    package let skipped: [String]

    package var count: Int { all.count }

    package struct Invalid: Error, CustomStringConvertible {
        package var description: String
    }

    /// The usable keys of `json` for `algorithms` (HMAC ones are ignored here: a set's
    /// keys are never HMAC secrets).
    package static func parse(_ json: [UInt8], algorithms: Set<JWTSigningAlgorithm>) async -> Result<JWTKeySet, Invalid> {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            return .failure(Invalid(description: "the key set is not a JSON object"))
        }
        guard let items = root["keys"] as? [Any] else {
            return .failure(Invalid(description: "the key set has no \"keys\" array"))
        }
        var all: [JWTVerificationKey] = []
        var skipped: [String] = []
        for (index, item) in items.enumerated() {
            switch await key(item, algorithms: algorithms) {
            case .success(let key): all.append(key)
            case .failure(let reason):
                let kid = ((item as? [String: Any])?["kid"] as? String).map { " (kid \"\($0.prefix(64))\")" } ?? ""
                skipped.append("keys[\(index)]\(kid): \(reason.description)")
            }
        }
        guard !all.isEmpty else {
            let why = skipped.isEmpty ? "it is empty" : skipped.joined(separator: "; ")
            return .failure(Invalid(description: "the key set has no usable key: \(why)"))
        }
        var byKeyID: [String: [JWTVerificationKey]] = [:]
        for key in all {
            if let kid = key.keyID { byKeyID[kid, default: []].append(key) }
        }
        return .success(JWTKeySet(byKeyID: byKeyID, all: all, skipped: skipped))
    }

    private static func key(_ item: Any, algorithms: Set<JWTSigningAlgorithm>) async -> Result<JWTVerificationKey, Invalid> {
        guard let object = item as? [String: Any] else { return .failure(Invalid(description: "not a JSON object")) }
        if let use = object["use"] {
            guard let use = use as? String, use == "sig" else { return .failure(Invalid(description: "use is not \"sig\"")) }
        }
        if let kid = object["kid"], !(kid is String) { return .failure(Invalid(description: "kid is not a string")) }
        guard let kty = object["kty"] as? String else { return .failure(Invalid(description: "no kty")) }
        guard ["RSA", "EC", "OKP"].contains(kty) else { return .failure(Invalid(description: "kty \(kty.prefix(16)) is not supported")) }
        let jwk: JWK
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            jwk = try JSONDecoder().decode(JWK.self, from: data)
        } catch {
            return .failure(Invalid(description: "not a usable \(kty) key (unsupported alg or crv, or malformed)"))
        }
        var declared: JWTSigningAlgorithm?
        if let alg = object["alg"] as? String {
            guard let known = JWTSigningAlgorithm(rawValue: alg), !known.isHMAC else {
                return .failure(Invalid(description: "alg \(alg.prefix(16)) is not supported"))
            }
            declared = known
        }
        // The algorithms this key may verify: those of its type (and curve) that the
        // provider allows, narrowed to its own `alg` when it declares one.
        let curve = object["crv"] as? String
        let candidates = algorithms.filter {
            !$0.isHMAC && $0.keyType == kty && ($0.curve == nil || $0.curve == curve) && (declared == nil || declared == $0)
        }
        guard !candidates.isEmpty else {
            let what = kty + (curve.map { " " + $0 } ?? "") + (declared.map { " " + $0.rawValue } ?? "")
            return .failure(Invalid(description: "a \(what) key serves none of the allowed algorithms"))
        }
        var verifiers: [JWTSigningAlgorithm: any JWTAlgorithm] = [:]
        do {
            for algorithm in candidates {
                verifiers[algorithm] = try await verifier(jwk, algorithm)
            }
        } catch let invalid as Invalid {
            return .failure(invalid)
        } catch {
            return .failure(Invalid(description: "its \(kty) parameters do not make a valid public key"))
        }
        return .success(JWTVerificationKey(keyID: jwk.keyIdentifier?.string, kind: kty + (curve.map { " " + $0 } ?? ""), verifiers: verifiers))
    }

    /// A jwt-kit verifier for exactly `algorithm` (a one-key collection's default key:
    /// jwt-kit picks nothing on its own here).
    private static func verifier(_ jwk: JWK, _ algorithm: JWTSigningAlgorithm) async throws -> any JWTAlgorithm {
        let collection = JWTKeyCollection()
        switch algorithm {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512:
            guard let n = jwk.modulus, let e = jwk.exponent else { throw Invalid(description: "an RSA key needs n and e") }
            guard let modulus = JWTBase64URL.decode(Substring(n)), modulus.drop(while: { $0 == 0 }).count >= 256 else {
                throw Invalid(description: "RSA keys under 2048 bits are not accepted")
            }
            let key = try Insecure.RSA.PublicKey(modulus: n, exponent: e)
            let digest: DigestAlgorithm = algorithm == .rs256 || algorithm == .ps256 ? .sha256 : algorithm == .rs384 || algorithm == .ps384 ? .sha384 : .sha512
            if algorithm.rawValue.hasPrefix("PS") {
                await collection.add(pss: key, digestAlgorithm: digest)
            } else {
                await collection.add(rsa: key, digestAlgorithm: digest)
            }
        case .es256:
            guard let x = jwk.x, let y = jwk.y else { throw Invalid(description: "an EC key needs x and y") }
            await collection.add(ecdsa: try ES256PublicKey(parameters: (x, y)))
        case .es384:
            guard let x = jwk.x, let y = jwk.y else { throw Invalid(description: "an EC key needs x and y") }
            await collection.add(ecdsa: try ES384PublicKey(parameters: (x, y)))
        case .es512:
            guard let x = jwk.x, let y = jwk.y else { throw Invalid(description: "an EC key needs x and y") }
            await collection.add(ecdsa: try ES512PublicKey(parameters: (x, y)))
        case .eddsa:
            guard let x = jwk.x else { throw Invalid(description: "an OKP key needs x") }
            await collection.add(eddsa: try EdDSA.PublicKey(x: x, curve: .ed25519))
        case .hs256, .hs384, .hs512:
            throw Invalid(description: "HMAC keys are never taken from a key set")
        }
        let verifier = try await collection.getKey()
        guard verifier.name == algorithm.rawValue else { throw Invalid(description: "jwt-kit built \(verifier.name) for \(algorithm.rawValue)") }
        return verifier
    }

    /// The configured HMAC secret as verifiers for the provider's HS* algorithms.
    package static func secretKey(_ secret: [UInt8], algorithms: Set<JWTSigningAlgorithm>) async -> JWTVerificationKey {
        var verifiers: [JWTSigningAlgorithm: any JWTAlgorithm] = [:]
        for algorithm in algorithms where algorithm.isHMAC && secret.count >= algorithm.minimumSecretBytes {
            let collection = JWTKeyCollection()
            let digest: DigestAlgorithm = algorithm == .hs256 ? .sha256 : algorithm == .hs384 ? .sha384 : .sha512
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
            if let verifier = try? await collection.getKey() { verifiers[algorithm] = verifier }
        }
        return JWTVerificationKey(keyID: nil, kind: "oct", verifiers: verifiers)
    }
}
