import EdgeDemo
import Foundation
import XCTest

@testable import Edge
@testable import EdgeConfig

/// JWT over real sockets: the demo bookstore behind a ``ReloadableGateway`` whose provider
/// fetches its key set from `Tests/interop/jwt_keys.py` (which mints the tokens with PyJWT,
/// rotates keys, goes down and comes back).
final class JWTEndToEndTests: XCTestCase {
    private var demo: RunningDemoServer!
    private var harness: ReloadHarness!
    private var keys: JWTKeyServer!

    override func setUpWithError() throws {
        keys = try JWTKeyServer()
        demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        harness = try ReloadHarness()
    }

    override func tearDownWithError() throws {
        harness?.shutdown()
        keys?.terminate()
        let demo = self.demo
        _ = try? EndToEndFixture.blocking { await demo?.shutdown(gracePeriod: .seconds(1)) }
    }

    private func start(jwksURI: String? = nil) throws {
        let extra = """
            auth:
              jwt:
                - name: main
                  issuer: https://id.example.com
                  audiences: [books]
                  jwks: {uri: "\(jwksURI ?? keys.uri)"}
                  algorithms: [RS256, ES256]
                  clock_skew: 60s
                  claims_to_headers: {sub: x-user-id, realm.roles: x-roles}
                  refetch_cooldown: 1s
            cors: {allow_origins: ["https://app.example.com"]}
            metadata:
              forward_headers: [x-user-id, x-roles]
            defaults:
              auth: {any: ["jwt:main"]}
            routes:
              "GET /v1/shelves": {auth: none}
              "POST /v1/debug:echoMetadata": {auth: {any: ["jwt:main"], allow_missing: true}}
              "GET /v1/shelves/{shelf}/books": {scopes: [catalog.read]}
            """
        try harness.write("edge.yaml", EndToEndFixture.gatewayYAML(ports: [demo.port], extra: extra))
        try harness.start()
    }

    private func token(_ claims: [String: Any] = [:], key: String = "rsa", alg: String = "RS256") throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var all: [String: Any] = ["iss": "https://id.example.com", "aud": "books", "sub": "alice", "iat": now, "exp": now + 600]
        for (name, value) in claims { all[name] = value }
        return try keys.mint(key: key, alg: alg, claims: all)
    }

    private func send(_ method: String, _ target: String, token: String? = nil, headers: [(String, String)] = [], body: String? = nil) throws -> EndToEndResponse {
        var all = headers
        if let token { all.append(("Authorization", "Bearer " + token)) }
        return try EndToEndClient.send(port: harness.port, method, target, headers: all, body: body)
    }

    private func metadata(_ response: EndToEndResponse) throws -> [String: [String]] {
        let list = try XCTUnwrap(try response.json()["entries"] as? [[String: Any]], response.body)
        var result: [String: [String]] = [:]
        for entry in list { result[entry["key"] as? String ?? "", default: []].append(entry["value"] as? String ?? "") }
        return result
    }

    func testAValidTokenPassesAndItsClaimsBecomeMetadata() throws {
        try start()
        let token = try token(["realm": ["roles": ["reader", "admin"]]])
        XCTAssertEqual(try send("GET", "/v1/shelves/1", token: token).status, 200)
        let echoed = try send(
            "POST", "/v1/debug:echoMetadata", token: token, headers: [("x-user-id", "mallory"), ("Grpc-Metadata-X-Roles", "root")], body: "{}")
        XCTAssertEqual(echoed.status, 200, echoed.body)
        let seen = try metadata(echoed)
        XCTAssertEqual(seen["x-user-id"], ["alice"], "the claim, never the client's copy")
        XCTAssertEqual(seen["x-roles"], ["reader,admin"])
        XCTAssertNil(seen["authorization"], "the token is not forwarded unless the provider says so")
    }

    func testFailuresAreRFC6750Answers() throws {
        try start()
        let now = Int(Date().timeIntervalSince1970)
        let cases: [(String, String)] = [
            (try token(["exp": now - 3600]), "expired"),
            (try token(["aud": "other"]), "audience"),
            (try token(["iss": "https://evil.example.com"]), "issuer"),
            (try token() + "x", "signature"),
        ]
        for (token, word) in cases {
            let response = try send("GET", "/v1/shelves/1", token: token)
            XCTAssertEqual(response.status, 401, "\(word): \(response.body)")
            let challenge = response.header("www-authenticate") ?? ""
            XCTAssertTrue(challenge.hasPrefix("Bearer") && challenge.contains(#"error="invalid_token""#), challenge)
            XCTAssertEqual(try response.json()["code"] as? Int, 16)
            XCTAssertFalse(response.body.contains(token), "the token is never echoed")
        }
        let missing = try send("GET", "/v1/shelves/1")
        XCTAssertEqual(missing.status, 401)
        XCTAssertFalse((missing.header("www-authenticate") ?? "").contains("invalid_token"), "no token is not an invalid one (RFC 6750 §3.1)")
        // allow_missing: no token passes, a bad one does not.
        XCTAssertEqual(try send("POST", "/v1/debug:echoMetadata", body: "{}").status, 200)
        XCTAssertEqual(try send("POST", "/v1/debug:echoMetadata", token: "a.b.c", body: "{}").status, 401)
    }

    func testScopesAreRequiredPerRoute() throws {
        try start()
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books", token: try token()).status, 403)
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books", token: try token(["scope": "catalog.read other"])).status, 200)
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books", token: try token(["scp": ["catalog.read"]])).status, 200)
    }

    func testARotatedKeyIsFetchedAndAnUnknownOneRefused() throws {
        try start()
        XCTAssertEqual(try send("GET", "/v1/shelves/1", token: try token()).status, 200)
        _ = try keys.rotate("rsa")
        // The new kid is unknown to the edge: it refetches (at most once per refetch_cooldown,
        // counted from the last attempt) and then accepts it — seconds, never minutes, of 401s.
        try JWTTestProvider.eventually("the rotated key is fetched") {
            try send("GET", "/v1/shelves/1", token: try token()).status == 200
        }
        // A kid nobody published: refused after at most one refetch, never verified with another key.
        let forged = try keys.mint(key: "rsa", alg: "RS256", claims: [
            "iss": "https://id.example.com", "aud": "books", "sub": "x", "exp": Int(Date().timeIntervalSince1970) + 60,
        ], headers: ["kid": "nobody"])
        XCTAssertEqual(try send("GET", "/v1/shelves/1", token: forged).status, 401)
    }

    func testNoKeySetYetIsUnavailableNotUnauthenticated() throws {
        try keys.down()
        try start()
        let response = try send("GET", "/v1/shelves/1", token: try token())
        XCTAssertEqual(response.status, 503, response.body)
        XCTAssertEqual(try response.json()["code"] as? Int, 14)
        try keys.up()
        try JWTTestProvider.eventually("the key set is fetched once the server is back") {
            try send("GET", "/v1/shelves/1", token: try token()).status == 200
        }
    }

    func testStreamsAndWebSocketsNeedTheTokenToo() throws {
        try start()
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books:stream").status, 401)
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books:stream", token: try token()).status, 200)
        let refused = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat")
        XCTAssertEqual(refused.status, 401)
        let chat = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat", headers: [("Authorization", "Bearer " + (try token()))])
        XCTAssertEqual(chat.status, 101)
        chat.sendClose()
    }

    func testPreflightsNeedNoTokenAndCarryNoInjectedClaims() throws {
        try start()
        let preflight = try send(
            "OPTIONS", "/v1/shelves/1",
            headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "GET"), ("x-user-id", "mallory")])
        XCTAssertEqual(preflight.status, 204)
        // A public route: the client's x-user-id is dropped though forward_headers lists it.
        let echoed = try send("POST", "/v1/debug:echoMetadata", headers: [("x-user-id", "mallory")], body: "{}")
        XCTAssertNil(try metadata(echoed)["x-user-id"])
    }
}
