import EdgeDemo
import Foundation
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// The front door over real sockets: the demo bookstore (grpc-swift-2) behind a
/// ``ReloadableGateway`` loaded from a YAML file, with API keys, IP rules and CORS; unary,
/// server-streaming, raw-body and WebSocket routes all pass the same admission.
final class FrontDoorEndToEndTests: XCTestCase {
    private var demo: RunningDemoServer!
    private var harness: ReloadHarness!

    static let webKey = "web-key-1"
    static let webDigest = "383653053e2c86930cfe95e7ddce007a6b77c1774716874c414228efd006f430"
    static let oldDigest = "762c08fc17a1cc5f00d248f8b50f2f2f4d17ff2934ac31e64deacb3f5bb3f2ec"  // "old-key", expired
    static let newKey = "new-key-2"
    static let newDigest = "c632549eb7ceacf43e239a2116d4512a0f9718d5d2d558ea0ff9fdd733b07ac7"

    override func setUpWithError() throws {
        demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        harness = try ReloadHarness()
        try harness.write("keys.yaml", "web: \(Self.webDigest)\nold: {sha256: \(Self.oldDigest), expires: 2001-01-01T00:00:00Z}\n")
    }

    override func tearDownWithError() throws {
        harness?.shutdown()
        let demo = self.demo
        _ = try? EndToEndFixture.blocking { await demo?.shutdown(gracePeriod: .seconds(1)) }
    }

    /// Every route needs an API key but `GET /v1/shelves`; CORS for one origin; `ipYAML` adds IP rules.
    private func start(ipYAML: String = "{trusted_proxies: [127.0.0.1/32]}", routesYAML: String = "", forward: String = "[x-tenant-id, x-consumer]") throws {
        let extra = """
            auth:
              api_keys: {header: x-api-key, query: api_key, keys_file: keys.yaml}
              ip: \(ipYAML)
            cors:
              allow_origins: ["https://app.example.com"]
              allow_headers: [x-api-key, content-type]
              expose_headers: [x-request-id]
              max_age: 10m
            metadata:
              forward_headers: \(forward)
            defaults:
              auth: {any: [api_key]}
            routes:
              "GET /v1/shelves": {auth: none}
            \(routesYAML)
            """
        try harness.write("edge.yaml", EndToEndFixture.gatewayYAML(ports: [demo.port], extra: extra))
        try harness.start()
    }

    private func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws -> EndToEndResponse {
        try EndToEndClient.send(port: harness.port, method, target, headers: headers, body: body)
    }

    private func status(_ response: EndToEndResponse) throws -> (code: Int, message: String) {
        let json = try response.json()
        return (json["code"] as? Int ?? -1, json["message"] as? String ?? "")
    }

    private func metadata(_ response: EndToEndResponse) throws -> [String: [String]] {
        let list = try XCTUnwrap(try response.json()["entries"] as? [[String: Any]], response.body)
        var result: [String: [String]] = [:]
        for entry in list { result[entry["key"] as? String ?? "", default: []].append(entry["value"] as? String ?? "") }
        return result
    }

    // MARK: API keys

    func testAPIKeysGateUnaryRoutes() throws {
        try start()
        XCTAssertEqual(try send("GET", "/v1/shelves").status, 200, "a public route")

        let missing = try send("GET", "/v1/shelves/1")
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(try status(missing).code, 16)
        XCTAssertTrue(try status(missing).message.contains("api_key"), missing.body)
        XCTAssertNotNil(missing.header("www-authenticate"))
        XCTAssertNotNil(missing.header("x-request-id"))

        let wrong = try send("GET", "/v1/shelves/1", headers: [("x-api-key", "guess")])
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(try status(wrong).message, "invalid API key")
        XCTAssertFalse(wrong.body.contains("guess"), "the key is never echoed")

        XCTAssertEqual(try send("GET", "/v1/shelves/1", headers: [("x-api-key", "old-key")]).status, 401, "expired")
        let two = try send("GET", "/v1/shelves/1", headers: [("x-api-key", Self.webKey), ("x-api-key", Self.webKey)])
        XCTAssertEqual(two.status, 401, "two keys in one request")

        let good = try send("GET", "/v1/shelves/1", headers: [("x-api-key", Self.webKey)])
        XCTAssertEqual(good.status, 200, good.body)
        // A key in the query parameter; the binder does not see it as a field.
        XCTAssertEqual(try send("GET", "/v1/shelves/1?api_key=\(Self.webKey)").status, 200)
    }

    func testTheConsumerBecomesMetadataAndNoClientCopyOrKeyReachesTheBackend() throws {
        try start()
        let response = try send(
            "POST", "/v1/debug:echoMetadata",
            headers: [
                ("x-api-key", Self.webKey), ("x-consumer", "admin"), ("Grpc-Metadata-X-Consumer", "admin"),
                ("Grpc-Metadata-X-Api-Key", "leak"), ("x-tenant-id", "acme"),
            ],
            body: #"{"message":"hi"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        let seen = try metadata(response)
        XCTAssertEqual(seen["x-consumer"], ["web"], "only the edge's value, though forward_headers lists the name")
        XCTAssertNil(seen["x-api-key"], "the key itself is never forwarded")
        XCTAssertEqual(seen["x-tenant-id"], ["acme"])
    }

    func testInjectedPolicyHeadersAreDroppedOnPublicRoutesToo() throws {
        try start(routesYAML: #"  "POST /v1/debug:echoMetadata": {auth: none}"#)
        let response = try send(
            "POST", "/v1/debug:echoMetadata", headers: [("x-consumer", "admin"), ("GRPC-METADATA-x-consumer", "admin")],
            body: #"{"message":"hi"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertNil(try metadata(response)["x-consumer"])
    }

    func testStreamingRawAndWebSocketRoutesAreProtectedLikeUnaryOnes() throws {
        try start()
        // Server streaming (NDJSON).
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books:stream").status, 401)
        let stream = try send("GET", "/v1/shelves/1/books:stream", headers: [("x-api-key", Self.webKey)])
        XCTAssertEqual(stream.status, 200, stream.body)
        XCTAssertTrue(stream.body.contains("\n"), stream.body)
        // A raw (google.api.HttpBody) download.
        XCTAssertEqual(try send("GET", "/v1/download?bytes=10").status, 401)
        // Client streaming with an NDJSON body: refused at the head, the body never read.
        let upload = try EndToEndClient.send(
            port: harness.port, "POST", "/v1/shelves/1/books:batchCreate", body: "{\"title\":\"a\"}\n", contentType: "application/x-ndjson")
        XCTAssertEqual(upload.status, 401)
        // WebSocket: refused before the upgrade, with the Status body and a request id.
        let refused = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat")
        XCTAssertEqual(refused.status, 401)
        XCTAssertNotNil(refused.header("x-request-id"))
        XCTAssertTrue(refused.body.contains("\"code\":16"), refused.body)
        let chat = try TestWebSocketClient(port: harness.port, target: "/v1/books:chat", headers: [("x-api-key", Self.webKey)])
        XCTAssertEqual(chat.status, 101)
        chat.sendText(#"{"text":"hi"}"#)
        XCTAssertEqual(try XCTUnwrap(try chat.readFrame().json)["text"] as? String, "echo: hi")
        chat.sendClose()
    }

    func testAChangedKeysFileIsReloaded() throws {
        try start()
        XCTAssertEqual(try send("GET", "/v1/shelves/1", headers: [("x-api-key", Self.newKey)]).status, 401)
        try harness.write("keys.yaml", "web: \(Self.webDigest)\nnew: \(Self.newDigest)\n")
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertEqual(try send("GET", "/v1/shelves/1", headers: [("x-api-key", Self.newKey)]).status, 200)
        // A broken keys file is refused like any invalid configuration; the old keys keep working.
        try harness.write("keys.yaml", "web: not-a-digest\n")
        guard case .refused(let problems) = harness.reload() else { return XCTFail("a broken keys file was accepted") }
        XCTAssertTrue(problems.joined().contains("SHA-256"), "\(problems)")
        XCTAssertFalse(problems.joined().contains("not-a-digest"), "the file's values are not echoed")
        XCTAssertEqual(try send("GET", "/v1/shelves/1", headers: [("x-api-key", Self.newKey)]).status, 200)
    }

    // MARK: IP rules

    func testDeniedAddressesGet403EvenForUnknownPaths() throws {
        try start(ipYAML: "{deny: [127.0.0.0/8]}")
        let denied = try send("GET", "/v1/shelves")
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(try status(denied).code, 7)
        XCTAssertEqual(try send("GET", "/v1/nothing-here").status, 403, "no route enumeration for denied clients")
    }

    func testForwardedForCountsOnlyThroughTrustedProxies() throws {
        try start(ipYAML: "{deny: [203.0.113.0/24], trusted_proxies: [127.0.0.1/32]}")
        XCTAssertEqual(try send("GET", "/v1/shelves", headers: [("X-Forwarded-For", "203.0.113.9")]).status, 403)
        XCTAssertEqual(try send("GET", "/v1/shelves", headers: [("X-Forwarded-For", "198.51.100.1")]).status, 200)
        // A route's own rule: only documentation addresses may list books of shelf 1.
        harness.shutdown()
        harness = try ReloadHarness()
        try harness.write("keys.yaml", "web: \(Self.webDigest)\n")
        try start(routesYAML: #"  "GET /v1/shelves/{shelf}/books": {auth: none, ip: {allow: [198.51.100.0/24]}}"#)
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books", headers: [("X-Forwarded-For", "198.51.100.1")]).status, 200)
        XCTAssertEqual(try send("GET", "/v1/shelves/1/books", headers: [("X-Forwarded-For", "192.0.2.1")]).status, 403)
    }

    func testForwardedProtoIsBelievedFromTrustedProxiesOnly() throws {
        try start()
        let behindBalancer = try send(
            "POST", "/v1/debug:echoMetadata", headers: [("x-api-key", Self.webKey), ("X-Forwarded-Proto", "https")], body: "{}")
        XCTAssertEqual(try metadata(behindBalancer)["x-forwarded-proto"], ["https"], "the trusted balancer terminated TLS")
        harness.shutdown()
        harness = try ReloadHarness()
        try harness.write("keys.yaml", "web: \(Self.webDigest)\n")
        try start(ipYAML: "{}")
        let direct = try send(
            "POST", "/v1/debug:echoMetadata", headers: [("x-api-key", Self.webKey), ("X-Forwarded-Proto", "https")], body: "{}")
        XCTAssertEqual(try metadata(direct)["x-forwarded-proto"], ["http"], "a client's own claim is not believed")
    }

    // MARK: CORS

    func testPreflightsAreAnsweredByTheEdge() throws {
        try start()
        let preflight = try send(
            "OPTIONS", "/v1/shelves/1",
            headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "x-api-key")])
        XCTAssertEqual(preflight.status, 204, preflight.body)
        XCTAssertEqual(preflight.header("access-control-allow-origin"), "https://app.example.com")
        XCTAssertEqual(preflight.header("access-control-allow-methods"), "DELETE, GET", "the path's methods")
        XCTAssertEqual(preflight.header("access-control-allow-headers"), "x-api-key, content-type")
        XCTAssertEqual(preflight.header("access-control-max-age"), "600")
        XCTAssertNotNil(preflight.header("x-request-id"))
        XCTAssertNil(preflight.header("content-length"), "a 204 has no Content-Length")

        let evil = try send("OPTIONS", "/v1/shelves/1", headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET")])
        XCTAssertEqual(evil.status, 403)
        XCTAssertNil(evil.header("access-control-allow-origin"))
        let wrongMethod = try send("OPTIONS", "/v1/shelves/1", headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "PUT")])
        XCTAssertEqual(wrongMethod.status, 403)
        // A plain OPTIONS (not a preflight) is still 405, and an unknown path 404.
        XCTAssertEqual(try send("OPTIONS", "/v1/shelves/1").status, 405)
        XCTAssertEqual(try send("OPTIONS", "/v1/nowhere", headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "GET")]).status, 404)
    }

    func testResponsesCarryCORSHeadersForAllowedOriginsOnly() throws {
        try start()
        let allowed = try send("GET", "/v1/shelves/1", headers: [("Origin", "https://app.example.com")])
        XCTAssertEqual(allowed.status, 401, "still unauthenticated")
        XCTAssertEqual(allowed.header("access-control-allow-origin"), "https://app.example.com", "a browser can read the 401")
        XCTAssertEqual(allowed.header("access-control-expose-headers"), "x-request-id")
        XCTAssertEqual(allowed.header("vary"), "Origin")
        let other = try send("GET", "/v1/shelves", headers: [("Origin", "https://evil.example")])
        XCTAssertEqual(other.status, 200)
        XCTAssertNil(other.header("access-control-allow-origin"))
        XCTAssertEqual(other.header("vary"), "Origin")
        let missing = try send("GET", "/v1/nowhere", headers: [("Origin", "https://app.example.com")])
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("access-control-allow-origin"), "https://app.example.com")
        let stream = try send("GET", "/v1/shelves/1/books:stream", headers: [("Origin", "https://app.example.com"), ("x-api-key", Self.webKey)])
        XCTAssertEqual(stream.status, 200)
        XCTAssertEqual(stream.header("access-control-allow-origin"), "https://app.example.com", "streamed responses too")
    }
}
