import Foundation
import NIOCore
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// `auth:`, `cors:` and the routes' access keys: what is accepted, and every mistake named.
final class FrontDoorConfigTests: XCTestCase {
    private let base = """
        descriptors: [api.protoset]
        clusters: [{name: shop, endpoints: ["127.0.0.1:50051"], services: [shop.v1]}]

        """

    private func parse(_ yaml: String, checkFiles: Bool = false, directory: String = "") -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(yaml: base + yaml, file: "test.yaml", baseDirectory: directory, checkFiles: checkFiles)
    }

    private func problems(_ yaml: String, checkFiles: Bool = false, directory: String = "") -> [String] {
        switch parse(yaml, checkFiles: checkFiles, directory: directory) {
        case .success: return []
        case .failure(let error): return error.problems.map(\.description)
        }
    }

    func testTheContractKeysParse() throws {
        let config = try parse("""
            auth:
              api_keys: {header: X-Api-Key, keys_file: keys.yaml}
              ip: {allow: [10.0.0.0/8, "2001:db8::/32"], deny: [10.1.0.0/16], trusted_proxies: [127.0.0.1]}
            cors: {allow_origins: ["https://*.example.com"], allow_methods: [get, post], allow_headers: [Authorization],
                   expose_headers: [X-Request-Id], allow_credentials: true, max_age: 10m}
            defaults:
              auth: {any: [api_key], allow_missing: true}
              scopes: []
            routes:
              "GET /v1/products/{id}": {auth: {all: [api_key, mtls]}, scopes: [catalog.read], claims: {tenant: acme}}
              "shop.v1.Catalog.Delete": {auth: none, ip: {allow: [192.0.2.0/24]}, cors: {allow_origins: ["*"]}}
            """).get()
        XCTAssertEqual(config.auth.apiKeys?.header, "x-api-key")
        XCTAssertEqual(config.auth.apiKeys?.keysFile, "keys.yaml")
        XCTAssertEqual(config.auth.ip.allow.map(\.description), ["10.0.0.0/8", "2001:db8::/32"])
        XCTAssertEqual(config.auth.ip.trustedProxies.count, 1)
        XCTAssertEqual(config.cors?.allowMethods, ["GET", "POST"])
        XCTAssertEqual(config.cors?.allowHeaders, ["authorization"])
        XCTAssertEqual(config.cors?.maxAge, .minutes(10))
        XCTAssertEqual(config.defaults.auth, .any(["api_key"], allowMissing: true))
        let product = try XCTUnwrap(config.routes.first { $0.key == .http(method: "GET", pattern: "/v1/products/{id}") })
        XCTAssertEqual(product.options.auth, .all(["api_key", "mtls"], allowMissing: false))
        XCTAssertEqual(product.options.scopes, ["catalog.read"])
        XCTAssertEqual(product.options.claims, ["tenant": ["acme"]])
        let delete = try XCTUnwrap(config.routes.first { $0.key == .method("shop.v1.Catalog.Delete") })
        XCTAssertEqual(delete.options.auth, AuthRequirement.none)
        XCTAssertEqual(delete.options.cors?.allowOrigins, ["*"])
    }

    func testMistakesAreNamed() {
        let found = problems("""
            auth:
              api_keys: {header: "x api key"}
              ip: {allow: [10.0.0.0/33], deny: [banana], trusted: []}
            cors: {allow_origins: ["*", "example.com", "https://a.*.example.com"], allow_credentials: true, max_age: forever}
            defaults:
              auth: {any: [jwt:main, api_key]}
            routes:
              "GET /v1/x": {auth: {any: []}}
              "GET /v1/y": {auth: sometimes}
            """)
        let text = found.joined(separator: "\n")
        for expected in [
            "auth.api_keys.header", "not a valid header name", "auth.api_keys", "missing: keys_file",
            "auth.ip.allow[0]", "auth.ip.deny[0]", "unknown key 'trusted'",
            "cors.allow_origins[1]", "cors.allow_origins[2]", "cannot be combined with allow_credentials", "cors.max_age",
            "defaults.auth", "unknown credential 'jwt:main'",
            #"routes["GET /v1/x"].auth"#, #"routes["GET /v1/y"].auth"#,
        ] {
            XCTAssertTrue(text.contains(expected), "no problem mentions \(expected):\n\(text)")
        }
    }

    func testKeysFilesAreReadAndCheckedWithoutEchoingKeys() throws {
        let directory = NSTemporaryDirectory() + "edge-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let digest = String(repeating: "ab", count: 32)
        try "web: \(digest)\nold: {sha256: \(String(repeating: "cd", count: 32)), expires: 2030-01-01T00:00:00Z}\n"
            .write(toFile: directory + "/keys.yaml", atomically: true, encoding: .utf8)
        let config = try parse("auth: {api_keys: {keys_file: keys.yaml}}\n", checkFiles: false, directory: directory).get()
        XCTAssertEqual(config.auth.apiKeys?.keysFile, directory + "/keys.yaml")
        let loaded = ConfigLoader.parse(
            yaml: "auth: {api_keys: {keys_file: keys.yaml}}\n", file: "t.yaml", baseDirectory: directory, checkFiles: true)
        // checkFiles also checks the descriptor sources, which do not exist here: look only at the keys.
        if case .failure(let error) = loaded {
            XCTAssertFalse(error.problems.contains { $0.path.hasPrefix("auth") }, "\(error.problems)")
        }
        var parser = ConfigParser(baseDirectory: directory, checkFiles: true)
        let keys = parser.loadAPIKeys(file: directory + "/keys.yaml", "auth.api_keys.keys_file", .scalar(.init("keys.yaml")))
        XCTAssertEqual(keys.map(\.consumer), ["web", "old"])
        XCTAssertEqual(keys[1].expires, 1_893_456_000)

        try "web: \(digest)\nsame: \(digest)\nbad: zz-secret-zz\n".write(toFile: directory + "/keys.yaml", atomically: true, encoding: .utf8)
        parser = ConfigParser(baseDirectory: directory, checkFiles: true)
        _ = parser.loadAPIKeys(file: directory + "/keys.yaml", "auth.api_keys.keys_file", .scalar(.init("keys.yaml")))
        let text = parser.reader.problems.map(\.description).joined(separator: "\n")
        XCTAssertTrue(text.contains("same"), text)
        XCTAssertTrue(text.contains("bad"), text)
        XCTAssertFalse(text.contains("zz-secret-zz"), "a key is never echoed: \(text)")
    }
}
