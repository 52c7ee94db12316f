@testable import Edge
import Foundation
import NIOCore
import XCTest
import Yams
@testable import EdgeConfig

/// `auth.jwt[]` parsing (``ConfigParser/parseJWTProviders(_:_:)``): the contract keys,
/// defaults, and each mistake reported with its path.
final class JWTConfigTests: XCTestCase {
    private func parse(_ yaml: String, checkFiles: Bool = false, base: String = "") throws -> ([JWTProviderConfig], [ConfigProblem]) {
        var parser = ConfigParser(baseDirectory: base, checkFiles: checkFiles)
        let node = try XCTUnwrap(try Yams.compose(yaml: yaml))
        let providers = parser.parseJWTProviders(node, "auth.jwt")
        return (providers, parser.reader.problems)
    }

    private func problems(_ yaml: String) throws -> String {
        try parse(yaml).1.map(\.description).joined(separator: "\n")
    }

    private func assertProblem(_ yaml: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try problems(yaml)
        XCTAssertTrue(text.contains(expected), "expected '\(expected)' in: \(text)", file: file, line: line)
    }

    func testTheContractKeysAndDefaults() throws {
        let (providers, problems) = try parse("""
            - name: main
              issuer: https://id.example.com
              audiences: [books]
              jwks: {file: keys/jwks.json}
              algorithms: [RS256, ES256]
              clock_skew: 60s
              claims_to_headers: {sub: x-user-id, realm.roles: X-Roles}
            - name: other
              issuer: https://other.example.com
              jwks: {uri: "http://127.0.0.1:8999/jwks.json"}
            """, base: "/etc/edge")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(providers.count, 2)
        let main = providers[0]
        XCTAssertEqual(main.name, "main")
        XCTAssertEqual(main.issuer, "https://id.example.com")
        XCTAssertEqual(main.audiences, ["books"])
        XCTAssertEqual(main.keySet, .file("/etc/edge/keys/jwks.json"))
        XCTAssertEqual(main.algorithms, [.rs256, .es256])
        XCTAssertEqual(main.clockSkew, .seconds(60))
        XCTAssertEqual(main.claimsToHeaders, ["sub": "x-user-id", "realm.roles": "x-roles"])
        XCTAssertEqual(main.tokenSources, [.bearer])
        XCTAssertFalse(main.forward)
        XCTAssertTrue(main.requireExpiry)
        XCTAssertNil(main.maxLifetime)
        XCTAssertEqual(main.keySetCacheDuration, .minutes(10))
        XCTAssertEqual(main.refetchCooldown, .seconds(30))
        XCTAssertEqual(providers[1].keySet, .uri("http://127.0.0.1:8999/jwks.json"))
        XCTAssertEqual(providers[1].algorithms, [.rs256])
    }

    func testTheOtherKeys() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwtcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data((String(repeating: "k", count: 48) + "\n").utf8).write(to: directory.appendingPathComponent("secret"))
        let (providers, problems) = try parse("""
            - name: hs
              issuer: me
              algorithms: [HS256, HS384]
              secret_file: secret
              require_exp: true
              max_lifetime: 1h
              from_header: X-Token
              from_query: access_token
              from_cookie: session
              from_bearer: true
              forward: true
              cache_size: 10
              jwks_cache: 5m
              refetch_cooldown: 5s
              fetch_timeout: 2s
            """, checkFiles: true, base: directory.path)
        XCTAssertEqual(problems, [])
        let hs = try XCTUnwrap(providers.first)
        XCTAssertEqual(hs.secret, Array(String(repeating: "k", count: 48).utf8), "the trailing newline is not part of the secret")
        XCTAssertEqual(hs.tokenSources, [.bearer, .header("x-token"), .query("access_token"), .cookie("session")])
        XCTAssertEqual(hs.maxLifetime, .hours(1))
        XCTAssertTrue(hs.forward)
        XCTAssertEqual(hs.cacheSize, 10)
        XCTAssertEqual(hs.keySetCacheDuration, .minutes(5))
        XCTAssertEqual(hs.refetchCooldown, .seconds(5))
        XCTAssertEqual(hs.fetchTimeout, .seconds(2))
        XCTAssertNil(hs.keySet)
        // Another source alone replaces Authorization: Bearer.
        let (cookieOnly, _) = try parse("[{name: c, issuer: i, jwks: {file: x}, from_cookie: s}]")
        XCTAssertEqual(cookieOnly.first?.tokenSources, [.cookie("s")])
    }

    func testMistakesAreReportedWithTheirPath() throws {
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, algorithms: [none]}]", "auth.jwt[0].algorithms[0]")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, algorithms: [None]}]", "never be accepted")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, algorithms: [RS999]}]", "unknown algorithm 'RS999'")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, algorithms: [RS256, HS256]}]", "need secret_file")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x, uri: 'http://h/'}}]", "exactly one of file or uri")
        try assertProblem("[{name: a, issuer: i, jwks: {uri: 'ftp://h/k'}}]", "http or https")
        try assertProblem("[{name: a, issuer: i}]", "auth.jwt[0].jwks (line 1): missing")
        try assertProblem("[{name: a, jwks: {file: x}}]", "auth.jwt[0].issuer (line 1): missing")
        try assertProblem("[{issuer: i, jwks: {file: x}}]", "auth.jwt[0].name (line 1): missing")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}}, {name: a, issuer: j, jwks: {file: y}}]", "duplicate provider name 'a'")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, claims_to_headers: {sub: grpc-status}}]", "reserved")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, claims_to_headers: {sub: x-a, email: X-A}}]", "already set from claim")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, claims_to_headers: {'a..b': x-a}}]", "claim path")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, audience: [b]}]", "unknown key 'audience'")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, clock_skew: 1h}]", "between 0s and 10m")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, require_exp: false, max_lifetime: 1h}]", "needs require_exp")
        try assertProblem("[{name: a, issuer: i, jwks: {file: x}, secret_file: s}]", "only used with HS256")
        XCTAssertEqual(try parse("[{name: a, issuer: i, jwks: {file: /nonexistent/jwks.json}}]", checkFiles: true).1.first?.path, "auth.jwt[0].jwks.file")
    }

    func testShortSecretsAreRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwtcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("short".utf8).write(to: directory.appendingPathComponent("secret"))
        let (_, problems) = try parse("[{name: a, issuer: i, algorithms: [HS256], secret_file: secret}]", checkFiles: true, base: directory.path)
        XCTAssertTrue(problems.map(\.description).joined().contains("at least 32 bytes"))
    }

    func testEqualConfigurationsCompareEqual() throws {
        let yaml = "[{name: a, issuer: i, jwks: {uri: 'https://id.example.com/jwks.json'}, audiences: [x]}]"
        let (first, _) = try parse(yaml)
        let (second, _) = try parse(yaml)
        XCTAssertEqual(first, second)
        let (changed, _) = try parse("[{name: a, issuer: i, jwks: {uri: 'https://id.example.com/jwks.json'}, audiences: [y]}]")
        XCTAssertNotEqual(first, changed)
    }
}
