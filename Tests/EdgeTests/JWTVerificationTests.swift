@testable import Edge
import Foundation
import NIOCore
import XCTest
@testable import EdgeConfig
@testable import EdgePolicy

/// The token checks of ``JWTProvider``, with tokens minted by PyJWT (and hand-built
/// where PyJWT refuses to build an attack) against a key set file written by the same
/// script: every JWT case issue 11 lists, at the component level.
final class JWTVerificationTests: XCTestCase {
    nonisolated(unsafe) private static var shared: JWTKeyServer?
    private var keys: JWTKeyServer!
    private var edge: JWTTestProvider!
    private var directory: URL!
    private let now = 1_800_000_000.0
    private let issuer = "https://id.example.com"

    override func setUpWithError() throws {
        if Self.shared == nil { Self.shared = try JWTKeyServer() }
        keys = Self.shared
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("jwks.json").path
        try keys.write(to: file)
        edge = JWTTestProvider(config(keySet: .file(file)))
    }

    override func tearDownWithError() throws {
        edge = nil
        try? FileManager.default.removeItem(at: directory)
    }

    private func config(keySet: JWTProviderConfig.KeySetSource?, _ change: (inout JWTProviderConfig) -> Void = { _ in }) -> JWTProviderConfig {
        var config = JWTProviderConfig(name: "main", issuer: issuer)
        config.audiences = ["books"]
        config.algorithms = [.rs256, .ps256, .es256, .es384, .eddsa]
        config.keySet = keySet
        config.maxLifetime = .hours(1)
        change(&config)
        return config
    }

    private func claims(_ extra: [String: Any] = [:]) -> [String: Any] {
        var claims: [String: Any] = ["iss": issuer, "aud": "books", "sub": "user-1", "iat": Int(now), "exp": Int(now) + 600]
        for (key, value) in extra { claims[key] = value }
        return claims
    }

    private func token(_ extra: [String: Any] = [:], key: String = "rsa", alg: String = "RS256", headers: [String: Any] = [:]) throws -> String {
        try keys.mint(key: key, alg: alg, claims: claims(extra), headers: headers)
    }

    private func assertReason(_ token: String, _ expected: JWTFailure.Reason, at time: Double? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        switch try edge.result(token, now: time ?? now) {
        case .success: XCTFail("accepted; expected \(expected)", file: file, line: line)
        case .failure(let failure):
            XCTAssertEqual(failure.reason, expected, failure.message, file: file, line: line)
            XCTAssertFalse(failure.message.contains(token), "the message must not contain the token", file: file, line: line)
            if let signature = token.split(separator: ".").last, signature.count > 8 {
                XCTAssertFalse(failure.message.contains(signature), file: file, line: line)
            }
        }
    }

    private func assertVerified(_ token: String, at time: Double? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> VerifiedJWT? {
        switch try edge.result(token, now: time ?? now) {
        case .success(let jwt): return jwt
        case .failure(let failure): XCTFail("rejected: \(failure)", file: file, line: line); return nil
        }
    }

    // MARK: algorithms and keys

    func testEachAllowedAlgorithmVerifiesWithItsKey() throws {
        for (key, alg) in [("rsa", "RS256"), ("rsa", "PS256"), ("rsa2", "RS256"), ("ec", "ES256"), ("ec384", "ES384"), ("ed", "EdDSA")] {
            let jwt = try assertVerified(try token(key: key, alg: alg))
            XCTAssertEqual(jwt?.subject, "user-1", "\(key) \(alg)")
            XCTAssertEqual(jwt?.keyID, try keys.kid(key))
        }
    }

    func testUnsupportedKeysInTheSetAreSkippedNotFatal() throws {
        _ = try assertVerified(try token())
        let stats = edge.provider.stats
        XCTAssertEqual(stats.keys, 5)
        XCTAssertEqual(stats.skippedKeys, 3, "oct, X25519 and use: enc are skipped")
    }

    func testAlgNoneIsRejectedInAnySpelling() throws {
        for alg in ["none", "None", "NONE", "nOnE"] {
            let unsigned = try keys.raw(header: ["alg": alg, "typ": "JWT"], claims: claims(), key: nil)
            try assertReason(unsigned, .algorithmNotAllowed)
            // With a signature part, too.
            try assertReason(unsigned + "c2ln", .algorithmNotAllowed)
        }
    }

    func testHS256SignedWithTheRSAPublicKeyIsRejected() throws {
        let forged = try XCTUnwrap(try keys.command(["cmd": "hs_with_public_key", "key": "rsa", "claims": claims()])["token"] as? String)
        try assertReason(forged, .algorithmNotAllowed)
        // Even where HS256 is allowed (with its own secret), the public key is never the secret.
        let secret = String(repeating: "s", count: 32)
        let secretFile = directory.appendingPathComponent("secret").path
        let withSecret = JWTTestProvider(config(keySet: .file(directory.appendingPathComponent("jwks.json").path)) {
            $0.algorithms = [.rs256, .hs256]
            $0.secretFile = secretFile
            $0.secret = Array(secret.utf8)
        })
        XCTAssertEqual(try withSecret.reason(forged, now: now), .badSignature)
        let good = try keys.mint(alg: "HS256", claims: claims(), secret: secret)
        XCTAssertNil(try withSecret.reason(good, now: now), "HS256 with the configured secret verifies")
    }

    func testAlgOutsideTheListOrNotMatchingTheKeyIsRejected() throws {
        try assertReason(try token(alg: "RS384"), .algorithmNotAllowed)
        try assertReason(try token(key: "ec", alg: "ES256", headers: ["kid": try keys.kid("rsa")]), .algorithmNotAllowed)
        try assertReason(try token(key: "ec384", alg: "ES384", headers: ["kid": try keys.kid("ec")]), .algorithmNotAllowed)
        try assertReason(try token(key: "ed", alg: "EdDSA", headers: ["kid": try keys.kid("ec")]), .algorithmNotAllowed)
        try assertReason(try keys.raw(header: ["alg": "FOO", "kid": try keys.kid("ec")], claims: claims(), key: "ec", alg: "ES256"), .algorithmNotAllowed)
        try assertReason(try keys.raw(header: ["alg": "rs256", "kid": try keys.kid()], claims: claims(), key: "rsa"), .algorithmNotAllowed)
    }

    func testFlippedTruncatedAndEmptySignaturesAreRejected() throws {
        let good = try token()
        let parts = good.split(separator: ".").map(String.init)
        var signature = Array(parts[2])
        signature[10] = signature[10] == "A" ? "B" : "A"
        try assertReason(parts[0] + "." + parts[1] + "." + String(signature), .badSignature)
        // Truncated to whole base64 groups (canonical), and by one character (not canonical: malformed).
        try assertReason(parts[0] + "." + parts[1] + "." + String(parts[2].dropLast(parts[2].count % 4 + 4)), .badSignature)
        try assertReason(parts[0] + "." + parts[1] + "." + String(parts[2].dropLast(1)), .malformed)
        try assertReason(parts[0] + "." + parts[1] + ".", .badSignature)
        // A payload changed under the same signature.
        let otherPayload = try token(["sub": "admin"]).split(separator: ".")[1]
        try assertReason(parts[0] + "." + otherPayload + "." + parts[2], .badSignature)
        // ECDSA: a wrong-length signature and r = s = 0.
        let ec = try token(key: "ec", alg: "ES256").split(separator: ".").map(String.init)
        try assertReason(ec[0] + "." + ec[1] + "." + String(ec[2].dropLast(ec[2].count % 4 + 4)), .badSignature)
        let zeros = String(repeating: "A", count: 86)  // 64 zero bytes
        try assertReason(ec[0] + "." + ec[1] + "." + zeros, .badSignature)
        let ed = try token(key: "ed", alg: "EdDSA").split(separator: ".").map(String.init)
        try assertReason(ed[0] + "." + ed[1] + "." + zeros, .badSignature)
    }

    func testAKidNotInTheSetNeverFallsBackToAnotherKey() throws {
        // Signed by the set's first key, but naming a kid the set does not have.
        try assertReason(try token(headers: ["kid": "not-in-the-set"]), .unknownKey)
        // Signed by one key of the set, naming another: the named key decides.
        try assertReason(try token(key: "rsa", headers: ["kid": try keys.kid("rsa2")]), .badSignature)
    }

    func testATokenWithoutKidIsCheckedAgainstTheKeysOfItsAlgorithmOnly() throws {
        let noKid = try keys.mint(key: "rsa2", claims: claims(), noKid: true)
        XCTAssertEqual(try assertVerified(noKid)?.keyID, try keys.kid("rsa2"))
        let tampered = noKid.split(separator: ".")
        let other = try keys.mint(key: "rsa", claims: claims(["sub": "x"]), noKid: true).split(separator: ".")
        try assertReason([tampered[0], other[1], tampered[2]].joined(separator: "."), .badSignature)
    }

    func testHeaderKeysAndKeyURLsAreNeverUsed() throws {
        // jwk / jku / x5u pointing elsewhere (here: to the signer's key, kid naming another key).
        let jwkOfSigner = try XCTUnwrap((try keys.command(["cmd": "jwks"])["keys"] as? [[String: Any]])?.first)
        let token = try keys.raw(
            header: ["alg": "RS256", "kid": try keys.kid("rsa2"), "jwk": jwkOfSigner, "jku": "http://127.0.0.1:1/evil.json", "x5u": "http://127.0.0.1:1/x"],
            claims: claims(), key: "rsa")
        try assertReason(token, .badSignature)
        let unknown = try keys.raw(header: ["alg": "RS256", "kid": "attacker", "jwk": jwkOfSigner], claims: claims(), key: "rsa")
        try assertReason(unknown, .unknownKey)
    }

    func testNonStringKidCritAndHeaderShapesAreRejected() throws {
        try assertReason(try keys.raw(header: ["alg": "RS256", "kid": 7], claims: claims(), key: "rsa"), .malformed)
        try assertReason(try keys.raw(header: ["alg": "RS256", "kid": ["rsa-1"]], claims: claims(), key: "rsa"), .malformed)
        try assertReason(try keys.raw(header: ["alg": "RS256", "kid": try keys.kid(), "crit": ["exp"], "exp": 1], claims: claims(), key: "rsa"), .critHeader)
        try assertReason(try keys.raw(header: ["alg": "RS256", "kid": try keys.kid(), "crit": []], claims: claims(), key: "rsa"), .critHeader)
        try assertReason(try keys.raw(header: ["kid": try keys.kid()], claims: claims(), key: "rsa"), .malformed)
        try assertReason(try keys.raw(header: ["alg": 256, "kid": try keys.kid()], claims: claims(), key: "rsa"), .malformed)
    }

    func testFivePartTokensBadBase64AndNonJSONAreRejectedCleanly() throws {
        try assertReason("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", .encrypted)
        try assertReason("a.b", .malformed)
        try assertReason("a.b.c.d", .malformed)
        try assertReason("", .malformed)
        let good = try token().split(separator: ".").map(String.init)
        try assertReason(good[0] + "=." + good[1] + "." + good[2], .malformed)
        try assertReason(good[0].replacingOccurrences(of: "e", with: "+") + "." + good[1] + "." + good[2], .malformed)
        try assertReason(good[0] + "." + good[1] + "*." + good[2], .malformed)
        try assertReason(good[0] + "." + good[1] + "." + good[2] + "%", .malformed)
        // Non-canonical trailing bits ("eyJ9" is not how `{"}` would end).
        let header = "eyJhbGciOiJSUzI1NiJ9"
        try assertReason(String(header.dropLast()) + "K" + "." + good[1] + "." + good[2], .malformed)
        // Valid base64url, not JSON; JSON, not an object; duplicate members.
        let notJSON = Data("not json".utf8).base64URL
        try assertReason(notJSON + "." + good[1] + "." + good[2], .malformed)
        try assertReason(Data("[1,2]".utf8).base64URL + "." + good[1] + "." + good[2], .malformed)
        try assertReason(Data(#"{"alg":"RS256","alg":"none"}"#.utf8).base64URL + "." + good[1] + "." + good[2], .malformed)
        try assertReason(good[0] + "." + Data("{\"sub\":".utf8).base64URL + "." + good[2], .malformed)
        // A claims set that repeats a claim, signed: the two readings must not differ.
        let duplicate = try keys.raw(header: ["alg": "RS256", "kid": try keys.kid()], claims: Data(#"{"sub":"a","sub":"admin"}"#.utf8).base64URL, key: "rsa")
        try assertReason(duplicate, .malformed)
    }

    func testDeeplyNestedOrHugeClaimsAreRejected() throws {
        var nested: Any = "leaf"
        for _ in 0..<40 { nested = ["a": nested] }
        try assertReason(try token(["deep": nested]), .malformed)
        var array: Any = 1
        for _ in 0..<40 { array = [array] }
        try assertReason(try token(["deep": array]), .malformed)
        try assertReason(try token(["blob": String(repeating: "x", count: 20_000)]), .tooLarge)
        try assertReason(try token(["many": Array(repeating: 0, count: 1100)]), .malformed)
        // Moderate nesting is fine.
        XCTAssertNotNil(try assertVerified(try token(["realm": ["roles": ["a", "b"]]])))
    }

    // MARK: time

    func testExpiryNotBeforeAndIssuedAtWithTheSkew() throws {
        let t = Int(now)
        try assertReason(try token(["exp": t - 3600, "iat": t - 3700]), .expired)
        XCTAssertNotNil(try assertVerified(try token(["exp": t - 59, "iat": t - 600])), "just inside the skew")
        try assertReason(try token(["exp": t - 60, "iat": t - 600]), .expired)
        try assertReason(try token(["exp": t - 61, "iat": t - 600]), .expired)
        XCTAssertNotNil(try assertVerified(try token(["nbf": t + 59])), "nbf just inside the skew")
        try assertReason(try token(["nbf": t + 61]), .notYetValid)
        try assertReason(try token(["nbf": t + 3000, "exp": t + 3100, "iat": t]), .notYetValid)
        XCTAssertNotNil(try assertVerified(try token(["iat": t + 59])), "iat just inside the skew")
        try assertReason(try token(["iat": t + 61]), .issuedInFuture)
        try assertReason(try token(["exp": "tomorrow"]), .malformed)
        try assertReason(try token(["iat": true]), .malformed)
        // Fractional NumericDates.
        XCTAssertNotNil(try assertVerified(try token(["exp": now + 0.5 - 60 + 0.1])))
    }

    func testExpIsRequiredByDefaultAndLifetimeIsBounded() throws {
        var noExp = claims()
        noExp["exp"] = nil
        try assertReason(try keys.mint(claims: noExp), .missingExpiry)
        let t = Int(now)
        XCTAssertNotNil(try assertVerified(try token(["iat": t, "exp": t + 3600])))
        try assertReason(try token(["iat": t, "exp": t + 3601]), .lifetimeTooLong)
        var noIat = claims(["exp": t + 7200])
        noIat["iat"] = nil
        try assertReason(try keys.mint(claims: noIat), .lifetimeTooLong)
        let relaxed = JWTTestProvider(config(keySet: .file(directory.appendingPathComponent("jwks.json").path)) {
            $0.requireExpiry = false
            $0.maxLifetime = nil
        })
        XCTAssertNil(try relaxed.reason(try keys.mint(claims: noExp), now: now))
    }

    // MARK: issuer and audience

    func testIssuerAndAudience() throws {
        try assertReason(try token(["iss": "https://evil.example.com"]), .wrongIssuer)
        try assertReason(try keys.raw(header: ["alg": "RS256", "kid": try keys.kid()], claims: claims(["iss": 5]), key: "rsa"), .wrongIssuer)
        var noIss = claims()
        noIss["iss"] = nil
        try assertReason(try keys.mint(claims: noIss), .wrongIssuer)
        var noAud = claims()
        noAud["aud"] = nil
        try assertReason(try keys.mint(claims: noAud), .wrongAudience)
        try assertReason(try token(["aud": "films"]), .wrongAudience)
        try assertReason(try token(["aud": ["films", "music"]]), .wrongAudience)
        try assertReason(try token(["aud": [] as [String]]), .wrongAudience)
        try assertReason(try token(["aud": 3]), .wrongAudience)
        XCTAssertNotNil(try assertVerified(try token(["aud": ["films", "books"]])))
        XCTAssertNotNil(try assertVerified(try token(["aud": ["books"]])))
    }

    // MARK: claims, cache, failure rendering

    func testClaimsScopesAndHeaderValues() throws {
        let jwt = try XCTUnwrap(try assertVerified(try token([
            "scope": "catalog.read catalog.write", "scp": ["orders.read"], "realm": ["roles": ["admin", "user"], "level": 3, "ok": true],
            "email": "a@example.com", "bad": "line\r\nx-injected: 1", "name": "Zoë",
        ])))
        XCTAssertEqual(jwt.scopes, ["catalog.read", "catalog.write", "orders.read"])
        XCTAssertTrue(jwt.hasScope("orders.read"))
        XCTAssertEqual(jwt.claimHeaderValue("sub"), "user-1")
        XCTAssertEqual(jwt.claimHeaderValue("realm.roles"), "admin,user")
        XCTAssertEqual(jwt.claimHeaderValue("realm.level"), "3")
        XCTAssertEqual(jwt.claimHeaderValue("realm.ok"), "true")
        XCTAssertEqual(jwt.claimHeaderValue("exp"), String(Int(now) + 600))
        XCTAssertNil(jwt.claimHeaderValue("realm"), "objects are not header values")
        XCTAssertNil(jwt.claimHeaderValue("realm.missing"))
        XCTAssertNil(jwt.claimHeaderValue("bad"), "a claim with a line break never becomes a header")
        XCTAssertNil(jwt.claimHeaderValue("name"), "non-ASCII is not a metadata value")
        XCTAssertEqual(jwt.claimText("name"), "Zoë")
        XCTAssertEqual(jwt.expiry, now + 600)
        XCTAssertEqual(jwt.issuer, issuer)
        XCTAssertEqual(jwt.provider, "main")
    }

    func testARepeatedTokenIsACacheHitButNeverPastItsExpiry() throws {
        let token = try token(["exp": Int(now) + 30, "iat": Int(now)])
        let first = try XCTUnwrap(try assertVerified(token))
        let second = try XCTUnwrap(try assertVerified(token, at: now + 1))
        XCTAssertTrue(first === second, "the second verification is answered from the cache")
        // Past exp (still inside the skew) the cache does not answer: a full check does.
        let third = try XCTUnwrap(try assertVerified(token, at: now + 31))
        XCTAssertFalse(first === third)
        try assertReason(token, .expired, at: now + 90)
        // Without a cache every verification is a full one.
        let uncached = JWTTestProvider(config(keySet: .file(directory.appendingPathComponent("jwks.json").path)) { $0.cacheSize = 0 })
        let a = try uncached.result(token, now: now).get()
        let b = try uncached.result(token, now: now).get()
        XCTAssertFalse(a === b)
    }

    func testFailuresMapTo401WithAChallengeAnd503WhenKeysAreUnavailable() throws {
        let failure = JWTFailure(.expired, "the token has \"expired\"")
        XCTAssertEqual(failure.httpStatus, .unauthorized)
        XCTAssertEqual(failure.grpcCode, .unauthenticated)
        XCTAssertEqual(failure.wwwAuthenticate(), #"Bearer error="invalid_token", error_description="the token has \"expired\"""#)
        XCTAssertEqual(failure.edgeError.headers.first?.name, "www-authenticate")
        XCTAssertEqual(failure.edgeError.httpStatus, .unauthorized)
        XCTAssertEqual(JWTFailure(.missing, "no token").wwwAuthenticate(realm: "edge"), #"Bearer realm="edge""#)
        let unavailable = JWTFailure(.keysUnavailable, "no keys")
        XCTAssertEqual(unavailable.httpStatus, .serviceUnavailable)
        XCTAssertEqual(unavailable.grpcCode, .unavailable)
        XCTAssertNil(unavailable.wwwAuthenticate())
        XCTAssertTrue(unavailable.edgeError.headers.isEmpty)
        XCTAssertEqual(JWTFailure.quoted("a\\b\"c\u{7}é"), #"a\\b\"c??"#)
    }

    func testTokensLongerThanTheLimitAreRejectedBeforeDecoding() throws {
        try assertReason(String(repeating: "a", count: 16 * 1024 + 1), .tooLarge)
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
