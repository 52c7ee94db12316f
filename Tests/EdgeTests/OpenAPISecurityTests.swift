import Foundation
import Transcoder
import XCTest

@testable import Edge
@testable import EdgeConfig

/// What the auth, IP and rate-limit configuration puts in the OpenAPI document: security
/// schemes, each operation's requirements, the refusals its policies can answer, the
/// `RateLimit` header fields on limited routes.
final class OpenAPISecurityTests: XCTestCase {
    private func document(_ yaml: String) throws -> OpenAPIValue {
        let config = try ConfigLoader.parse(
            yaml: """
                listen: {port: 8080}
                descriptors: [fixture.proto]
                clusters: [{name: c, endpoints: ["127.0.0.1:50051"], services: [edgetest]}]
                \(yaml)
                """, file: "test.yaml", baseDirectory: "", checkFiles: false
        ).get()
        let schema = try OpenAPIGeneratorTests.fixtureSchema()
        let table = try RouteTable(schema: schema)
        let policies = RoutePolicies(config: config)
        return OpenAPIGenerator(schema: schema, table: table, policies: policies, security: .from(config: config, policies: policies)).document()
    }

    func testSchemesRequirementsRefusalsAndRateLimitHeaders() throws {
        let document = try document("""
            auth:
              jwt:
                - {name: main, issuer: "https://id.example.com", audiences: [books], jwks: {file: jwks.json}, algorithms: [RS256]}
              api_keys: {header: x-api-key, query: api_key, keys_file: keys.yaml}
            redis: {address: "127.0.0.1:6379"}
            rate_limits: [{name: per-client, key: [client_ip], rate: 10/s, scope: local}]
            defaults: {auth: {any: ["jwt:main", api_key]}, scopes: [books.write]}
            routes:
              "POST /v1/wkt": {auth: none, scopes: [], rate_limits: [per-client]}
            """)
        let schemes = try XCTUnwrap(document["components"]?["securitySchemes"])
        XCTAssertEqual(schemes["jwt_main"]?["type"]?.stringValue, "http")
        XCTAssertEqual(schemes["jwt_main"]?["scheme"]?.stringValue, "bearer")
        XCTAssertEqual(schemes["api_key"]?["in"]?.stringValue, "header")
        XCTAssertEqual(schemes["api_key"]?["name"]?.stringValue, "x-api-key")
        XCTAssertEqual(schemes["api_key_query"]?["in"]?.stringValue, "query")
        XCTAssertNil(schemes["mtls"], "no route asks for mTLS")

        let put = try XCTUnwrap(document["paths"]?["/v1/everything"]?["put"])
        XCTAssertEqual(put["security"], .array([
            .object([("jwt_main", .array([.string("books.write")]))]),
            .object([("api_key", .array([.string("books.write")]))]),
            .object([("api_key_query", .array([.string("books.write")]))]),
        ]))
        XCTAssertNotNil(put["responses"]?["401"], "credentials can be refused")
        XCTAssertNotNil(put["responses"]?["403"], "a missing scope is refused")
        XCTAssertNil(put["responses"]?["429"], "not rate-limited")

        let wkt = try XCTUnwrap(document["paths"]?["/v1/wkt"]?["post"])
        XCTAssertNil(wkt["security"], "a public route")
        XCTAssertNil(wkt["responses"]?["401"])
        XCTAssertNotNil(wkt["responses"]?["429"], "rate-limited")
        XCTAssertNotNil(wkt["responses"]?["200"]?["headers"]?["RateLimit"], "the RateLimit fields are documented")
    }
}
