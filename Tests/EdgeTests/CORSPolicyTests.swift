import NIOCore
import NIOHTTP1
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// CORS decisions without sockets (the Fetch standard's CORS protocol).
final class CORSPolicyTests: XCTestCase {
    private let config = CORSConfig(
        allowOrigins: ["https://app.example.com", "https://*.example.org"], allowHeaders: ["authorization", "x-api-key"],
        exposeHeaders: ["x-request-id"], allowCredentials: true, maxAge: .minutes(10))

    private func run(
        _ policy: CORSPolicy, method: HTTPMethod = .GET, headers: [(String, String)], preflight: Bool = false,
        pathMethods: [String] = ["GET", "POST"], routed: Bool = true
    ) -> (PolicyVerdict, [(name: String, value: String)]) {
        var exchange = PolicyExchange(
            head: HTTPRequestHead(version: .http1_1, method: method, uri: "/v1/books", headers: HTTPHeaders(headers)),
            connection: ConnectionInfo(), route: routed ? RouteIdentity(label: "GET /v1/books", method: "pkg.S/M") : nil,
            requestID: "r", isPreflight: preflight, pathMethods: pathMethods)
        let verdict = policy.evaluate(&exchange)
        return (verdict, exchange.responseHeaders)
    }

    private func value(_ headers: [(name: String, value: String)], _ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    func testPreflightFromAnAllowedOriginIsAnswered() {
        let (verdict, headers) = run(
            CORSPolicy(config), method: .OPTIONS,
            headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "Authorization, Content-Type")],
            preflight: true)
        guard case .answer(let status) = verdict else { return XCTFail("not answered: \(verdict)") }
        XCTAssertEqual(status, .noContent)
        XCTAssertEqual(value(headers, "access-control-allow-origin"), "https://app.example.com")
        XCTAssertEqual(value(headers, "access-control-allow-credentials"), "true")
        XCTAssertEqual(value(headers, "access-control-allow-methods"), "GET, POST")
        XCTAssertEqual(value(headers, "access-control-allow-headers"), "authorization, x-api-key")
        XCTAssertEqual(value(headers, "access-control-max-age"), "600")
        XCTAssertTrue(value(headers, "vary")?.contains("Origin") == true)
    }

    func testPreflightRefusals() {
        let policy = CORSPolicy(config)
        let cases: [[(String, String)]] = [
            [("Origin", "https://evil.example.com"), ("Access-Control-Request-Method", "GET")],
            [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "DELETE")],
            [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "x-secret")],
            // The bare parent of a wildcard is not matched by it.
            [("Origin", "https://example.org"), ("Access-Control-Request-Method", "GET")],
        ]
        for headers in cases {
            let (verdict, responseHeaders) = run(policy, method: .OPTIONS, headers: headers, preflight: true)
            guard case .refuse(let error) = verdict else { return XCTFail("not refused: \(headers)") }
            XCTAssertEqual(error.httpStatus, .forbidden)
            XCTAssertNil(value(responseHeaders, "access-control-allow-origin"), "\(headers)")
        }
        // A method the path does not have at all (no route for it).
        let (verdict, _) = run(
            policy, method: .OPTIONS, headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "PUT")],
            preflight: true, routed: false)
        guard case .refuse = verdict else { return XCTFail("not refused") }
    }

    func testWildcardSubdomainsMatch() {
        let origins = CORSOrigins(["https://*.example.org", "http://localhost:3000"])
        XCTAssertTrue(origins.allows("https://a.example.org"))
        XCTAssertTrue(origins.allows("https://A.B.Example.org"))
        XCTAssertFalse(origins.allows("https://example.org"))
        XCTAssertFalse(origins.allows("https://a.example.org.evil.com"))
        XCTAssertFalse(origins.allows("http://a.example.org"))
        XCTAssertFalse(origins.allows("https://evil.com/.example.org"))
        XCTAssertTrue(origins.allows("http://localhost:3000"))
        XCTAssertFalse(origins.allows("http://localhost:3001"))
        XCTAssertNil(CORSOrigins.problem("https://*.example.org"))
        XCTAssertNotNil(CORSOrigins.problem("https://a.*.example.org"))
        XCTAssertNotNil(CORSOrigins.problem("example.org"))
        XCTAssertNotNil(CORSOrigins.problem("https://example.org/path"))
    }

    func testActualRequestsGetHeadersOnlyForAllowedOrigins() {
        let policy = CORSPolicy(config)
        var (verdict, headers) = run(policy, headers: [("Origin", "https://x.example.org")])
        guard case .proceed = verdict else { return XCTFail("not proceeding") }
        XCTAssertEqual(value(headers, "access-control-allow-origin"), "https://x.example.org")
        XCTAssertEqual(value(headers, "access-control-expose-headers"), "x-request-id")
        XCTAssertEqual(value(headers, "vary"), "Origin")
        (verdict, headers) = run(policy, headers: [("Origin", "https://evil.com")])
        guard case .proceed = verdict else { return XCTFail("a disallowed origin's request is not refused, only unreadable") }
        XCTAssertNil(value(headers, "access-control-allow-origin"))
        XCTAssertEqual(value(headers, "vary"), "Origin")
        (verdict, headers) = run(policy, headers: [])
        XCTAssertEqual(headers.map(\.name), ["vary"])
    }

    func testAnyOriginWithoutCredentialsIsAStar() {
        let policy = CORSPolicy(CORSConfig(allowOrigins: ["*"]))
        let (_, headers) = run(policy, headers: [("Origin", "https://anything.test")])
        XCTAssertEqual(value(headers, "access-control-allow-origin"), "*")
        XCTAssertNil(value(headers, "access-control-allow-credentials"))
        // With no allow_headers configured, a preflight's requested headers are allowed back.
        let (verdict, preflight) = run(
            policy, method: .OPTIONS,
            headers: [("Origin", "https://anything.test"), ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "x-a,x-b")],
            preflight: true)
        guard case .answer = verdict else { return XCTFail("not answered") }
        XCTAssertEqual(value(preflight, "access-control-allow-headers"), "x-a, x-b")
    }
}
