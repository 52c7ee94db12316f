@testable import Edge
import Foundation
import NIOCore
import XCTest
@testable import EdgeConfig
@testable import EdgePolicy

/// ``JWTProvider`` keeping its key set fresh against a real key-set server
/// (`Tests/interop/jwt_keys.py`) that rotates keys, goes down and comes back, and
/// against a key set file that is rewritten.
final class JWTKeySetFetchTests: XCTestCase {
    private var keys: JWTKeyServer!
    private let issuer = "https://id.example.com"

    override func setUpWithError() throws {
        keys = try JWTKeyServer()
    }

    override func tearDownWithError() throws {
        keys?.terminate()
    }

    private func config(_ change: (inout JWTProviderConfig) -> Void = { _ in }) -> JWTProviderConfig {
        var config = JWTProviderConfig(name: "live", issuer: issuer)
        config.algorithms = [.rs256, .es256]
        config.keySet = .uri(keys.uri)
        config.refetchCooldown = .milliseconds(300)
        change(&config)
        return config
    }

    private var now: Double { JWTProvider.now() }

    private func token(_ key: String = "rsa", alg: String = "RS256", kid: String? = nil) throws -> String {
        let t = Int(now)
        var headers: [String: Any] = [:]
        if let kid { headers["kid"] = kid }
        return try keys.mint(key: key, alg: alg, claims: ["iss": issuer, "sub": "u", "iat": t, "exp": t + 600], headers: headers)
    }

    private func pastCooldown() { Thread.sleep(forTimeInterval: 0.4) }

    func testTheFirstRequestWaitsForTheFirstFetch() throws {
        let edge = JWTTestProvider(config(), start: false)
        let (result, waited) = try edge.verify(try token(), now: now)
        XCTAssertTrue(waited, "no keys yet: the request waits for the fetch it started")
        XCTAssertNoThrow(try result.get())
        XCTAssertEqual(try keys.count(), 1)
        // RS256 and ES256 allowed: rsa, rsa2, ec used; ec384, ed (not allowed), oct, X25519, use: enc skipped.
        XCTAssertEqual(edge.provider.stats.keys, 3)
        XCTAssertEqual(edge.provider.stats.skippedKeys, 5)
    }

    func testARotatedKeyIsFetchedOnItsFirstTokenThenAnUnknownKidFails() throws {
        let edge = JWTTestProvider(config())
        XCTAssertNoThrow(try edge.result(try token(), now: now).get())
        XCTAssertEqual(try keys.count(), 1)
        pastCooldown()

        let newKid = try keys.rotate()
        let (rotated, waited) = try edge.verify(try token(), now: now)
        XCTAssertTrue(waited, "an unknown kid refetches")
        XCTAssertEqual(try rotated.get().keyID, newKid, "no 401 for the new key")
        XCTAssertEqual(try keys.count(), 2)

        // Still unknown after the refetch: a failure, and within the cooldown no new fetch.
        let bogus = try token(kid: "never-published")
        XCTAssertEqual(try edge.reason(bogus, now: now), .unknownKey)
        XCTAssertEqual(try keys.count(), 2, "the cooldown counts from the last attempt")
        pastCooldown()
        let (again, waitedAgain) = try edge.verify(bogus, now: now)
        XCTAssertTrue(waitedAgain)
        XCTAssertEqual(again.failureReason, .unknownKey)
        XCTAssertEqual(try keys.count(), 3)
    }

    func testTheCooldownHoldsBackRefetchesForUnknownKids() throws {
        let edge = JWTTestProvider(config { $0.refetchCooldown = .seconds(3600) })
        XCTAssertNoThrow(try edge.result(try token(), now: now).get())
        _ = try keys.rotate()
        let answer = try edge.verifyOnce(try token(), now: now)
        guard case .rejected(let failure) = answer else { return XCTFail("expected a rejection without a fetch, got \(answer)") }
        XCTAssertEqual(failure.reason, .unknownKey)
        XCTAssertEqual(failure.httpStatus, .unauthorized)
        XCTAssertEqual(try keys.count(), 1)
    }

    func testWhenTheServerIsDownTheLastGoodKeysStayAndItsReturnIsPickedUp() throws {
        let edge = JWTTestProvider(config())
        let oldToken = try token()
        XCTAssertNoThrow(try edge.result(oldToken, now: now).get())
        try keys.down()
        let newKid = try keys.rotate("ec")
        pastCooldown()
        let newToken = try token("ec", alg: "ES256")
        let (during, waited) = try edge.verify(newToken, now: now)
        XCTAssertTrue(waited)
        XCTAssertEqual(during.failureReason, .unknownKey, "a failed refetch: the kid is still unknown, not 503")
        XCTAssertNoThrow(try edge.result(oldToken, now: now).get(), "the last good keys stay in use")
        XCTAssertNoThrow(try edge.result(try token("rsa2"), now: now).get(), "including keys not used before")
        XCTAssertGreaterThanOrEqual(edge.provider.stats.fetchFailures, 1)

        try keys.up()
        pastCooldown()
        XCTAssertEqual(try edge.result(newToken, now: now).get().keyID, newKid)
    }

    func testNoKeysAtAllIs503NotTheClientsFault() throws {
        try keys.status(500)
        let edge = JWTTestProvider(config { $0.refetchCooldown = .seconds(3600) }, start: false)
        let token = try token()
        let (result, waited) = try edge.verify(token, now: now)
        XCTAssertTrue(waited)
        guard case .failure(let failure) = result else { return XCTFail("accepted without keys") }
        XCTAssertEqual(failure.reason, .keysUnavailable)
        XCTAssertEqual(failure.httpStatus, .serviceUnavailable)
        XCTAssertEqual(failure.grpcCode, .unavailable)
        XCTAssertNil(failure.wwwAuthenticate())
        // Within the cooldown: answered at once, and counted.
        guard case .rejected(let again) = try edge.verifyOnce(token, now: now) else { return XCTFail("expected an immediate 503") }
        XCTAssertEqual(again.reason, .keysUnavailable)
        XCTAssertGreaterThanOrEqual(edge.provider.stats.keysUnavailable, 2)
        XCTAssertEqual(try keys.count(), 1)
        // A malformed token is still the client's fault.
        XCTAssertEqual(try edge.reason("x.y", now: now), .malformed)
    }

    func testTheServerComingBackAfterAStartWithoutKeysIsRetriedInTheBackground() throws {
        try keys.down()
        let edge = JWTTestProvider(config { $0.refetchCooldown = .seconds(1) })
        try JWTTestProvider.eventually("the first fetch failed") { edge.provider.stats.fetchFailures >= 1 }
        try keys.up()
        try JWTTestProvider.eventually("a background retry fetched the keys (\(edge.provider.stats))") { edge.provider.stats.keys == 3 }
        guard case .verified = try edge.verifyOnce(try token(), now: now, mayWait: false) else { return XCTFail("not verified") }
    }

    func testCacheControlMaxAgeSchedulesTheRefresh() throws {
        try keys.maxAge(1)
        let edge = JWTTestProvider(config { $0.refetchCooldown = .milliseconds(100) })
        try JWTTestProvider.eventually("the first fetch") { edge.provider.stats.fetchSuccesses >= 1 }
        let newKid = try keys.rotate()
        try JWTTestProvider.eventually("the refresh after max-age") { edge.provider.stats.fetchSuccesses >= 2 }
        // Picked up by the refresh, not by a request: verified without waiting.
        guard case .verified(let jwt) = try edge.verifyOnce(try token(), now: now, mayWait: false) else { return XCTFail("not verified") }
        XCTAssertEqual(jwt.keyID, newKid)
        XCTAssertEqual(JWTKeySetFetcher.Response(status: .ok, headers: ["Cache-Control": "public, max-age=42"], body: []).maxAge, 42)
        XCTAssertEqual(JWTKeySetFetcher.Response(status: .ok, headers: ["Cache-Control": "no-store"], body: []).maxAge, 0)
        XCTAssertNil(JWTKeySetFetcher.Response(status: .ok, headers: [:], body: []).maxAge)
    }

    func testAKeySetFileIsReReadWhenItChanges() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("jwks.json").path
        try keys.write(to: file)
        let edge = JWTTestProvider(config {
            $0.keySet = .file(file)
            $0.filePollInterval = .milliseconds(100)
        })
        XCTAssertNoThrow(try edge.result(try token(), now: now).get())
        let newKid = try keys.rotate()
        try keys.write(to: file)
        try JWTTestProvider.eventually("the rewritten file is loaded") {
            if case .verified(let jwt) = try edge.verifyOnce(try token(), now: now, mayWait: false) { return jwt.keyID == newKid }
            return false
        }
        // A broken file keeps the last good keys.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file))
        try JWTTestProvider.eventually("the broken file is seen") { edge.provider.stats.fetchFailures >= 1 }
        guard case .verified = try edge.verifyOnce(try token(), now: now, mayWait: false) else { return XCTFail("the last good keys were dropped") }
    }

    func testShutdownStopsTheRefreshes() throws {
        try keys.maxAge(0)
        let edge = JWTTestProvider(config { $0.refetchCooldown = .milliseconds(100) })
        try JWTTestProvider.eventually("two fetches") { try keys.count() >= 2 }
        edge.provider.shutdown()
        Thread.sleep(forTimeInterval: 0.3)
        let settled = try keys.count()
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(try keys.count(), settled)
    }
}

extension Result where Success == VerifiedJWT, Failure == JWTFailure {
    var failureReason: JWTFailure.Reason? {
        if case .failure(let failure) = self { return failure.reason }
        return nil
    }
}
