import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgePolicy

/// Requirement combinations, scopes and claims, without sockets.
final class AuthPolicyTests: XCTestCase {
    struct Fixed: CredentialCheck {
        let name: String
        let result: @Sendable () -> CredentialResult
        func check(_ exchange: PolicyExchange, mayWait: Bool) -> CredentialResult { result() }
    }

    struct Claims: ClaimLookup {
        let values: [String: [String]]
        func values(at path: String) -> [String]? { values[path] }
    }

    static let bad = EdgeError(code: .unauthenticated, message: "bad token")
    static func valid(_ name: String, scopes: [String]? = nil, claims: [String: [String]] = [:]) -> CredentialResult {
        .valid(Credential(name: name, subject: "alice", scopes: scopes, claims: Claims(values: claims), metadata: [("x-user-id", "alice")]))
    }

    private func evaluate(_ policy: AuthPolicy, preflight: Bool = false) -> (PolicyVerdict, PolicyExchange) {
        var exchange = PolicyExchange(
            head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), connection: ConnectionInfo(), route: nil, requestID: "r",
            isPreflight: preflight)
        let verdict = policy.evaluate(&exchange)
        return (verdict, exchange)
    }

    private func status(_ verdict: PolicyVerdict) -> Int {
        switch verdict {
        case .proceed: return 200
        case .refuse(let error): return Int(error.httpStatus.code)
        case .answer(let status): return Int(status.code)
        case .suspend, .wait: return -1
        }
    }

    private func policy(_ checks: [Fixed], all: Bool = false, allowMissing: Bool = false, scopes: [String] = [], claims: [(String, Set<String>)] = []) -> AuthPolicy {
        AuthPolicy(checks: checks, requireAll: all, allowMissing: allowMissing, scopes: scopes, claims: claims.map { (path: $0.0, values: $0.1) })
    }

    func testAnyOfSeveral() {
        let jwtMissing = Fixed(name: "jwt:main") { .missing }
        let jwtBad = Fixed(name: "jwt:main") { .invalid(Self.bad) }
        let keyValid = Fixed(name: "api_key") { Self.valid("api_key") }
        let keyMissing = Fixed(name: "api_key") { .missing }
        XCTAssertEqual(status(evaluate(policy([jwtMissing, keyValid])).0), 200)
        XCTAssertEqual(status(evaluate(policy([jwtBad, keyValid])).0), 200)
        XCTAssertEqual(status(evaluate(policy([jwtMissing, keyMissing])).0), 401)
        XCTAssertEqual(status(evaluate(policy([jwtBad, keyMissing])).0), 401)
        guard case .refuse(let error) = evaluate(policy([jwtMissing, keyMissing])).0 else { return XCTFail() }
        XCTAssertTrue(error.message.contains("jwt:main, api_key"), error.message)
        XCTAssertTrue(error.headers.contains { $0.name == "www-authenticate" })
    }

    func testAllowMissingLetsNoCredentialThroughButNotABadOne() {
        XCTAssertEqual(status(evaluate(policy([Fixed(name: "jwt:main") { .missing }], allowMissing: true)).0), 200)
        XCTAssertEqual(status(evaluate(policy([Fixed(name: "jwt:main") { .invalid(Self.bad) }], allowMissing: true)).0), 401)
    }

    func testAllOfSeveral() {
        let jwt = Fixed(name: "jwt:main") { Self.valid("jwt:main") }
        let key = Fixed(name: "api_key") { Self.valid("api_key") }
        let keyMissing = Fixed(name: "api_key") { .missing }
        XCTAssertEqual(status(evaluate(policy([jwt, key], all: true)).0), 200)
        XCTAssertEqual(status(evaluate(policy([jwt, keyMissing], all: true)).0), 401)
    }

    func testKeysThatCannotBeHadAreUnavailableNotTheClientsFault() {
        let down = Fixed(name: "jwt:a") { .invalid(EdgeError(code: .unavailable, message: "no key set")) }
        let bad = Fixed(name: "jwt:b") { .invalid(Self.bad) }
        XCTAssertEqual(status(evaluate(policy([bad, down])).0), 503)
    }

    func testScopesAndClaims() {
        let reader = Fixed(name: "jwt:main") { Self.valid("jwt:main", scopes: ["catalog.read"], claims: ["tenant": ["acme"]]) }
        XCTAssertEqual(status(evaluate(policy([reader], scopes: ["catalog.read"])).0), 200)
        XCTAssertEqual(status(evaluate(policy([reader], scopes: ["catalog.write"])).0), 403)
        XCTAssertEqual(status(evaluate(policy([reader], claims: [("tenant", ["acme", "other"])])).0), 200)
        XCTAssertEqual(status(evaluate(policy([reader], claims: [("tenant", ["globex"])])).0), 403)
        // No credential at all, but the route needs scopes: 401, not 403.
        XCTAssertEqual(status(evaluate(policy([Fixed(name: "jwt:main") { .missing }], allowMissing: true, scopes: ["x"])).0), 401)
    }

    func testAVerifiedCredentialAddsIdentityAndMetadata() {
        let (verdict, exchange) = evaluate(policy([Fixed(name: "jwt:main") { Self.valid("jwt:main") }]))
        XCTAssertEqual(status(verdict), 200)
        XCTAssertEqual(exchange.identity.subject, "alice")
        XCTAssertEqual(exchange.identity.verified, ["jwt:main"])
        XCTAssertEqual(exchange.metadata.first?.value, "alice")
    }

    func testAPendingCheckSuspendsAndIsCheckedAgain() throws {
        let loop = EmbeddedEventLoop()
        let fetched = loop.makePromise(of: Void.self)
        let answered = NIOLockedValueBox(false)
        let check = Fixed(name: "jwt:main") { answered.withLockedValue { $0 } ? Self.valid("jwt:main") : .pending(fetched.futureResult) }
        let auth = policy([check])
        var (verdict, exchange) = evaluate(auth)
        guard case .suspend(let future) = verdict else { return XCTFail("did not suspend") }
        answered.withLockedValue { $0 = true }
        fetched.succeed(())
        let resume = try future.wait()
        verdict = resume.apply(&exchange)
        XCTAssertEqual(status(verdict), 200)
    }

    func testPreflightsPass() {
        XCTAssertEqual(status(evaluate(policy([Fixed(name: "jwt:main") { .missing }]), preflight: true).0), 200)
    }

    func testAPIKeysAreFoundByDigestAndExpire() {
        let digest = Array(ConfigParser.hexDigest("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b")!)  // sha256("secret")
        let table = APIKeyTable([
            APIKeyEntry(consumer: "web", digest: digest),
            APIKeyEntry(consumer: "old", digest: Array(repeating: 7, count: 32), expires: 100),
        ])
        XCTAssertEqual(table.lookup("secret", now: 1_000), .consumer("web"))
        XCTAssertEqual(table.lookup("secreT", now: 1_000), .unknown)
        XCTAssertEqual(table.lookup("", now: 1_000), .unknown)
        let expiring = APIKeyTable([APIKeyEntry(consumer: "old", digest: digest, expires: 100)])
        XCTAssertEqual(expiring.lookup("secret", now: 99), .consumer("old"))
        XCTAssertEqual(expiring.lookup("secret", now: 100), .expired("old"))
    }
}

