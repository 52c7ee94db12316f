import EdgeDemo
import Foundation
import XCTest

@testable import Edge
@testable import EdgeConfig

/// `openapi`'s access keys over real sockets: the document (`/openapi.json`, `/openapi.yaml`)
/// and the docs page pass the same policies as a route — API keys, JWTs minted by PyJWT with
/// scopes, IP rules, CORS, local and Redis rate limits — with the same `google.rpc.Status`
/// refusals, seen by the metrics and the access log; a reload changes the restriction. The
/// demo bookstore behind a ``ReloadableGateway`` loaded from a YAML file.
final class OpenAPIAccessTests: XCTestCase {
    private var demo: RunningDemoServer!
    private var harness: ReloadHarness!

    private static let key = FrontDoorEndToEndTests.webKey

    override func setUpWithError() throws {
        demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        harness = try ReloadHarness()
        try harness.write("keys.yaml", "web: \(FrontDoorEndToEndTests.webDigest)\n")
    }

    override func tearDownWithError() throws {
        harness?.shutdown()
        let demo = self.demo
        _ = try? EndToEndFixture.blocking { await demo?.shutdown(gracePeriod: .seconds(1)) }
    }

    /// Writes `edge.yaml`: API keys (header or query), every route but `GET /v1/shelves` (and
    /// `openRoute`) behind one, `openapi` as given, and `extra` top-level sections.
    private func write(openapi: String, auth: String? = nil, openRoute: String? = nil, extra: String = "") throws {
        let yaml = """
            auth:
            \(auth ?? "  api_keys: {header: x-api-key, query: api_key, keys_file: keys.yaml}")
            defaults:
              auth: {any: [api_key]}
            routes:
              "GET /v1/shelves": {auth: none}
            \(openRoute.map { "  \"\($0)\": {auth: none}" } ?? "")
            openapi: \(openapi)
            \(extra)
            """
        try harness.write("edge.yaml", EndToEndFixture.gatewayYAML(ports: [demo.port], extra: yaml))
    }

    private func start(openapi: String, auth: String? = nil, openRoute: String? = nil, extra: String = "") throws {
        try write(openapi: openapi, auth: auth, openRoute: openRoute, extra: extra)
        try harness.start()
    }

    private func get(_ target: String, headers: [(String, String)] = []) throws -> EndToEndResponse {
        try EndToEndClient.send(port: harness.port, "GET", target, headers: headers)
    }

    /// The `google.rpc.Status` code of a refusal (fails the test when the body is not one).
    private func code(_ response: EndToEndResponse, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let json = try response.json(file: file, line: line)
        XCTAssertNotNil(json["message"] as? String, response.body, file: file, line: line)
        return try XCTUnwrap(json["code"] as? Int, response.body, file: file, line: line)
    }

    private func metrics() throws -> String {
        try EndToEndClient.send(port: harness.adminPort, "GET", "/metrics").body
    }

    // MARK: Open by default

    func testTheDocumentIsOpenByDefaultWhateverTheRoutesRequire() throws {
        try start(openapi: "{enabled: true, docs: true}")
        XCTAssertEqual(try get("/v1/shelves/1").status, 401, "the routes' defaults ask for a key")
        for (path, type) in [
            ("/openapi.json", "application/json"), ("/openapi.yaml", "application/yaml"), ("/docs", "text/html; charset=utf-8"),
            ("/docs/assets/swagger-ui-bundle.js", "application/javascript; charset=utf-8"),
        ] {
            let response = try get(path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertEqual(response.header("content-type"), type, path)
        }
        let text = try metrics()
        XCTAssertTrue(text.contains(#"edge_http_requests_total{route="openapi",grpc_method="",status="200",grpc_code=""} 4"#), text)
    }

    // MARK: API keys

    func testAnAPIKeyRestrictsTheDocumentAndThePageNotTheirAssets() throws {
        let log = harness.path("access.log")
        try start(
            openapi: "{enabled: true, docs: true, auth: {any: [api_key]}}",
            extra: "observability: {access_log: {path: \(log), format: json}}")
        for path in ["/openapi.json", "/openapi.yaml", "/docs"] {
            let missing = try get(path)
            XCTAssertEqual(missing.status, 401, path)
            XCTAssertEqual(try code(missing), 16, path)
            XCTAssertEqual(missing.header("content-type"), "application/json", path)
            XCTAssertNotNil(missing.header("www-authenticate"), path)
            XCTAssertNotNil(missing.header("x-request-id"), path)
            XCTAssertFalse(missing.body.contains("openapi\": \"3.1"), "no part of the document: \(path)")

            let wrong = try get(path, headers: [("x-api-key", "guess")])
            XCTAssertEqual(wrong.status, 401, path)
            XCTAssertFalse(wrong.body.contains("guess"), "the key is never echoed")
        }
        let document = try get("/openapi.json", headers: [("x-api-key", Self.key)])
        XCTAssertEqual(document.status, 200, document.body)
        XCTAssertEqual(try document.json()["openapi"] as? String, "3.1.0")
        XCTAssertEqual(try get("/openapi.yaml?api_key=\(Self.key)").status, 200)
        // The page passes its own query on to the document's request: `/docs?api_key=…` works in a browser.
        let page = try get("/docs?api_key=\(Self.key)")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains(#"url: "openapi.json" + window.location.search"#), page.body)
        // The page's files are Swagger UI's, the same on every edge: a browser fetches them without the page's key.
        XCTAssertEqual(try get("/docs/assets/swagger-ui-bundle.js").status, 200)
        // The routes keep their own policies.
        XCTAssertEqual(try get("/v1/shelves").status, 200)
        XCTAssertEqual(try get("/v1/shelves/1").status, 401)

        // The observers see the refusals with their reason, under the `openapi` label.
        let text = try metrics()
        XCTAssertTrue(text.contains(#"edge_http_requests_total{route="openapi",grpc_method="",status="401",grpc_code="UNAUTHENTICATED"} 6"#), text)
        XCTAssertTrue(text.contains(#"edge_http_requests_total{route="openapi",grpc_method="",status="200",grpc_code=""} 4"#), text)
        XCTAssertTrue(text.contains(#"edge_policy_refusals_total{policy="auth",reason="missing_credentials"} 4"#), "three of the document's, one of a route: \(text)")
        XCTAssertTrue(text.contains(#"edge_policy_refusals_total{policy="auth",reason="invalid_api_key"} 3"#), text)
        var records: [[String: Any]] = []
        XCTAssertTrue(waitUntil(seconds: 20) {
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            return records.count >= 12
        }, "\(records.count) access log records")
        let refused = records.filter { $0["route"] as? String == "openapi" && $0["status"] as? Int == 401 }
        XCTAssertEqual(refused.count, 6, "\(records)")
        XCTAssertTrue(refused.allSatisfy { $0["refused_by"] as? String == "auth" }, "\(refused)")
        XCTAssertTrue(records.contains { $0["route"] as? String == "openapi" && $0["status"] as? Int == 200 && $0["consumer"] as? String == "web" })
    }

    // MARK: JWT and scopes

    func testATokenWithTheScopeReadsTheDocument() throws {
        let keys = try JWTKeyServer()
        defer { keys.terminate() }
        let jwt = """
              api_keys: {header: x-api-key, keys_file: keys.yaml}
              jwt:
                - name: main
                  issuer: https://id.example.com
                  audiences: [books]
                  jwks: {uri: "\(keys.uri)"}
                  algorithms: [RS256]
                  refetch_cooldown: 1s
            """
        try start(openapi: #"{enabled: true, docs: true, auth: {any: ["jwt:main"]}, scopes: [docs.read]}"#, auth: jwt)
        func token(_ claims: [String: Any] = [:]) throws -> String {
            let now = Int(Date().timeIntervalSince1970)
            var all: [String: Any] = ["iss": "https://id.example.com", "aud": "books", "sub": "alice", "iat": now, "exp": now + 600]
            for (name, value) in claims { all[name] = value }
            return try keys.mint(claims: all)
        }
        func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer " + token)] }

        for path in ["/openapi.json", "/docs"] {
            let missing = try get(path)
            XCTAssertEqual(missing.status, 401, path)
            XCTAssertTrue(missing.header("www-authenticate")?.hasPrefix("Bearer") ?? false, "\(missing.headers)")
            let bad = try get(path, headers: bearer(try token() + "x"))
            XCTAssertEqual(bad.status, 401, path)
            XCTAssertTrue(bad.header("www-authenticate")?.contains(#"error="invalid_token""#) ?? false, "\(bad.headers)")

            let unscoped = try get(path, headers: bearer(try token()))
            XCTAssertEqual(unscoped.status, 403, "\(path): \(unscoped.body)")
            XCTAssertEqual(try code(unscoped), 7, path)

            let scoped = try get(path, headers: bearer(try token(["scope": "catalog.read docs.read"])))
            XCTAssertEqual(scoped.status, 200, "\(path): \(scoped.body)")
        }
        // A rotated key: the edge waits for the key set's refetch (the chain suspends and resumes on the loop).
        _ = try keys.rotate("rsa")
        try JWTTestProvider.eventually("the rotated key is fetched") {
            try get("/openapi.json", headers: bearer(try token(["scp": ["docs.read"]]))).status == 200
        }
        XCTAssertTrue(try metrics().contains(#"edge_policy_refusals_total{policy="auth",reason="insufficient_scope"} 2"#))
    }

    // MARK: IP rules, CORS, rate limits

    func testIPRulesAndCORSApplyToTheDocument() throws {
        try start(
            openapi: "{enabled: true, ip: {allow: [192.0.2.0/24]}}",
            extra: #"cors: {allow_origins: ["https://app.example.com"]}"#)
        let denied = try get("/openapi.json")
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(try code(denied), 7)
        XCTAssertEqual(try get("/v1/shelves").status, 200, "the routes are not restricted by openapi's rules")

        // Open again, with the global CORS (the document is fetched by tools on other origins).
        try write(openapi: "{enabled: true}", extra: #"cors: {allow_origins: ["https://app.example.com"]}"#)
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        let cross = try get("/openapi.json", headers: [("Origin", "https://app.example.com")])
        XCTAssertEqual(cross.status, 200)
        XCTAssertEqual(cross.header("access-control-allow-origin"), "https://app.example.com")
        let other = try get("/openapi.json", headers: [("Origin", "https://evil.example.com")])
        XCTAssertEqual(other.status, 200)
        XCTAssertNil(other.header("access-control-allow-origin"))

        // The global IP rules hold for the whole listener: an address denied there reads no document either.
        try write(
            openapi: "{enabled: true, docs: true}",
            auth: "  api_keys: {header: x-api-key, keys_file: keys.yaml}\n  ip: {deny: [127.0.0.0/8]}")
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertEqual(try get("/openapi.json").status, 403)
        XCTAssertEqual(try get("/docs").status, 403)
        XCTAssertEqual(try get("/docs/assets/swagger-ui-bundle.js").status, 403)
    }

    func testALocalRateLimitOnTheDocument() throws {
        try start(
            openapi: "{enabled: true, rate_limits: [docs]}",
            extra: "rate_limits:\n  - {name: docs, key: [client_ip], rate: 2/h, scope: local}")
        XCTAssertEqual(try get("/openapi.json").status, 200)
        let second = try get("/openapi.yaml")
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.header("ratelimit-policy"), #""docs";q=2;w=3600"#)
        let limited = try get("/openapi.json")
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(try code(limited), 8)
        XCTAssertNotNil(limited.header("retry-after"))
        XCTAssertEqual(try get("/v1/shelves").status, 200, "the routes are not limited")
    }

    /// A global limit decides in Redis: the document's chain suspends for the reply and resumes on the loop.
    func testAGlobalRateLimitOnTheDocumentWaitsForRedis() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        try start(
            openapi: "{enabled: true, docs: true, rate_limits: [docs]}",
            extra: """
                redis: {address: "127.0.0.1:\(redis.port)", timeout: 2s, failure_mode: closed}
                rate_limits:
                  - {name: docs, key: [client_ip], rate: 3/h, scope: global}
                """)
        // Pipelined on one connection: the document waits for Redis, the next requests wait their turn.
        let connection = try TestConnection(port: harness.port)
        connection.send(["/openapi.json", "/v1/shelves", "/docs"].map { "GET \($0) HTTP/1.1\r\nHost: edge\r\n\r\n" }.joined())
        let document = try connection.readResponse()
        XCTAssertEqual(document.status, 200, document.body)
        XCTAssertTrue(document.body.contains(#""openapi":"3.1.0""#) || document.body.contains(#""openapi": "3.1.0""#), String(document.body.prefix(200)))
        let shelves = try connection.readResponse()
        XCTAssertEqual(shelves.status, 200, shelves.body)
        XCTAssertTrue(shelves.body.contains("shelves"), shelves.body)
        let page = try connection.readResponse()
        XCTAssertEqual(page.status, 200, page.body)
        XCTAssertEqual(page.header("content-type"), "text/html; charset=utf-8")

        XCTAssertEqual(try get("/openapi.yaml").status, 200)
        let limited = try get("/openapi.json")
        XCTAssertEqual(limited.status, 429, limited.body)
        XCTAssertEqual(try code(limited), 8)
        XCTAssertFalse(try redis.cli(["--scan", "--pattern", "edge:rl:*"]).isEmpty, "the decisions were Redis's")
    }

    // MARK: The page in a browser

    /// Headless Chromium opens `/docs?api_key=…` on a document restricted to API keys: the page's
    /// files load without the key, the page hands the key to the document's request, lists the
    /// operations, and "try it" calls an open route (Tests/openapi/openapi_checks.py docs-page).
    func testThePageReadsARestrictedDocumentInABrowser() throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import selenium"]),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        else {
            throw XCTSkip("selenium, chromium and chromium-driver are not installed (scripts/install-deps.sh installs them)")
        }
        try start(
            openapi: "{enabled: true, docs: true, auth: {any: [api_key]}}",
            openRoute: "GET /v1/shelves/{shelf}/books/{book}")
        XCTAssertEqual(try get("/openapi.json").status, 401)
        let screenshot = OpenAPIContractTests.repository.appendingPathComponent(".build/openapi-docs-restricted.png").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", OpenAPIContractTests.script, "docs-page", "http://127.0.0.1:\(harness.port)", screenshot, "?api_key=\(Self.key)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("try it out: GET /v1/shelves/1/books/1 -> 200"), text)
        XCTAssertTrue(text.contains("no failed requests"), text)
    }

    // MARK: Reload

    func testAReloadChangesTheRestriction() throws {
        try start(openapi: "{enabled: true, docs: true}")
        XCTAssertEqual(try get("/openapi.json").status, 200)

        try write(openapi: "{enabled: true, docs: true, auth: {any: [api_key]}}")
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertEqual(try get("/openapi.json").status, 401)
        XCTAssertEqual(try get("/docs").status, 401)
        XCTAssertEqual(try get("/openapi.json", headers: [("x-api-key", Self.key)]).status, 200)

        // A bad value is refused by name; the restriction in force stays.
        try write(openapi: "{enabled: true, docs: true, auth: {any: [jwt:nobody]}}")
        guard case .refused(let problems) = harness.reload() else { return XCTFail("a bad openapi.auth was loaded") }
        XCTAssertTrue(problems.contains { $0.contains("openapi.auth") && $0.contains("jwt:nobody") }, "\(problems)")
        XCTAssertEqual(try get("/openapi.json").status, 401)

        try write(openapi: "{enabled: true, docs: true}")
        guard case .reloaded = harness.reload() else { return XCTFail("reload refused") }
        XCTAssertEqual(try get("/openapi.json").status, 200)
        XCTAssertEqual(try get("/docs").status, 200)
    }
}

/// `openapi`'s access keys as `edge validate` reads them.
final class OpenAPIAccessConfigTests: XCTestCase {
    private let base = """
        descriptors: [api.protoset]
        clusters: [{name: shop, endpoints: ["127.0.0.1:50051"], services: [shop.v1]}]
        auth:
          api_keys: {header: x-api-key, keys_file: keys.yaml}

        """

    private func parse(_ yaml: String) -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(yaml: base + yaml, file: "test.yaml", baseDirectory: "", checkFiles: false)
    }

    private func problems(_ yaml: String) -> [String] {
        switch parse(yaml) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    func testTheKeysParseAsARoutes() throws {
        let config = try parse("""
            rate_limits: [{name: docs, key: [client_ip], rate: 10/m, scope: local}]
            defaults: {auth: {any: [api_key]}, scopes: [x]}
            openapi:
              enabled: true
              docs: true
              auth: {any: [api_key, mtls], allow_missing: false}
              scopes: [docs.read]
              claims: {tenant: [acme, globex]}
              ip: {allow: [10.0.0.0/8]}
              cors: {allow_origins: ["https://docs.example.com"]}
              rate_limits: [docs]
            """).get()
        let access = config.openAPI.access
        XCTAssertEqual(access.auth, .any(["api_key", "mtls"], allowMissing: false))
        XCTAssertEqual(access.scopes, ["docs.read"])
        XCTAssertEqual(access.claims, ["tenant": ["acme", "globex"]])
        XCTAssertEqual(access.ip.allow.map(\.description), ["10.0.0.0/8"])
        XCTAssertEqual(access.cors?.allowOrigins, ["https://docs.example.com"])
        XCTAssertEqual(access.rateLimits, ["docs"])
        XCTAssertFalse(access.isUnrestricted)

        // Not configured: unrestricted, whatever `defaults` say.
        XCTAssertTrue(try parse("defaults: {auth: {any: [api_key]}}\nopenapi: {enabled: true}").get().openAPI.access.isUnrestricted)
    }

    func testMistakesAreNamed() {
        let found = problems("""
            openapi:
              enabled: true
              policies: {auth: none}
              auth: {any: ["jwt:nobody"]}
              scopes: docs.read
              rate_limits: [nope]
              max_in_flight: 3
              ip: {trusted_proxies: [127.0.0.1]}
            """)
        let expected = [
            ("openapi.policies", "unknown key 'policies'"),
            ("openapi.max_in_flight", "unknown key 'max_in_flight'"),
            ("openapi.auth", "unknown credential 'jwt:nobody' (configured: api_key, mtls)"),
            ("openapi.scopes", "expected a list"),
            ("openapi.rate_limits[0]", "no rate limit named 'nope'"),
            ("openapi.ip.trusted_proxies", "unknown key 'trusted_proxies'"),
        ]
        for (path, message) in expected {
            XCTAssertTrue(
                found.contains { $0.hasPrefix(path) && $0.contains(message) }, "\(path): \(message) in:\n\(found.joined(separator: "\n"))")
        }
        let off = problems("openapi: {auth: {any: [api_key]}}")
        XCTAssertTrue(off.contains { $0.contains("openapi.auth") && $0.contains("set enabled: true") }, "\(off)")
    }

    /// `edge validate` (the built binary) names the problem and exits 1.
    func testEdgeValidateRefusesABadValue() throws {
        let binary = try EdgeBinary.path()
        let directory = NSTemporaryDirectory() + "edge-openapi-validate-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("web: \(FrontDoorEndToEndTests.webDigest)\n".utf8).write(to: URL(fileURLWithPath: directory + "/keys.yaml"))
        func validate(_ openapi: String) throws -> (status: Int32, output: String) {
            let yaml = EndToEndFixture.gatewayYAML(ports: [50051], extra: """
                auth:
                  api_keys: {header: x-api-key, keys_file: keys.yaml}
                openapi: \(openapi)
                """)
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: directory + "/edge.yaml"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["validate", directory + "/edge.yaml"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let good = try validate("{enabled: true, docs: true, auth: {any: [api_key]}, scopes: []}")
        XCTAssertEqual(good.status, 0, good.output)
        let bad = try validate("{enabled: true, auth: {one_of: [api_key]}}")
        XCTAssertEqual(bad.status, 1, bad.output)
        XCTAssertTrue(bad.output.contains("openapi.auth"), bad.output)
    }
}
