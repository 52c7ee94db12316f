import Foundation
import XCTest

/// gRPC statuses, error details and metadata through the real edge and the demo
/// service: every status code, `google.rpc` details with their `@type`, metadata in
/// both directions, and an upstream nobody listens on.
final class EndToEndStatusTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: EndToEndFixture?
    /// An edge whose only cluster points at a closed port.
    nonisolated(unsafe) private static var unreachable: EndToEndFixture?

    override class func setUp() {
        super.setUp()
        fixture = EndToEndFixture.startForClass()
        if let port = try? EndToEndFixture.closedPort() {
            unreachable = EndToEndFixture.startForClass(upstreamPort: port)
        }
    }

    override class func tearDown() {
        for running in [fixture, unreachable].compactMap({ $0 }) {
            _ = try? EndToEndFixture.blocking { await running.shutdown() }
        }
        fixture = nil
        unreachable = nil
        super.tearDown()
    }

    private func send(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil
    ) throws -> EndToEndResponse {
        let fixture = try XCTUnwrap(Self.fixture, EndToEndFixture.startFailure)
        return try EndToEndClient.send(port: fixture.port, method, target, headers: headers, body: body)
    }

    // MARK: Status mapping

    static let expected: [(name: String, http: Int)] = [
        ("OK", 200), ("CANCELLED", 499), ("UNKNOWN", 500), ("INVALID_ARGUMENT", 400), ("DEADLINE_EXCEEDED", 504),
        ("NOT_FOUND", 404), ("ALREADY_EXISTS", 409), ("PERMISSION_DENIED", 403), ("RESOURCE_EXHAUSTED", 429),
        ("FAILED_PRECONDITION", 400), ("ABORTED", 409), ("OUT_OF_RANGE", 400), ("UNIMPLEMENTED", 501),
        ("INTERNAL", 500), ("UNAVAILABLE", 503), ("DATA_LOSS", 500), ("UNAUTHENTICATED", 401),
    ]

    func testEveryStatusCodeMapsToItsHTTPStatusAndStatusBody() throws {
        for (code, entry) in Self.expected.enumerated() {
            // The enum path variable by name for even codes, by number for odd ones.
            let segment = code % 2 == 0 ? entry.name : String(code)
            let response = try send("GET", "/v1/debug/fail/\(segment)")
            XCTAssertEqual(response.status, entry.http, "\(entry.name): \(response.body)")
            if code == 0 {
                XCTAssertEqual(response.body, "{}")
                continue
            }
            let status = try response.json()
            XCTAssertEqual(status["code"] as? Int, code, "\(entry.name): \(response.body)")
            XCTAssertEqual(status["message"] as? String, "demo failure: \(entry.name)", response.body)
            XCTAssertEqual((status["details"] as? [Any])?.count, 0, response.body)
            XCTAssertEqual(response.header("www-authenticate") != nil, entry.http == 401, "\(entry.name) WWW-Authenticate")
        }
    }

    func testCustomMessageThroughTheBodyBinding() throws {
        let response = try send("POST", "/v1/debug:fail", body: #"{"code":"PERMISSION_DENIED","message":"no \"access\" é"}"#)
        XCTAssertEqual(response.status, 403, response.body)
        let status = try response.json()
        XCTAssertEqual(status["code"] as? Int, 7)
        XCTAssertEqual(status["message"] as? String, #"no "access" é"#)
    }

    func testUnauthenticatedCarriesWWWAuthenticate() throws {
        let response = try send("GET", "/v1/debug/fail/UNAUTHENTICATED")
        XCTAssertEqual(response.status, 401)
        XCTAssertEqual(response.header("www-authenticate"), "Bearer")
    }

    func testErrorDetailsRenderWithTheirTypeURLs() throws {
        let response = try send("GET", "/v1/debug/fail/NOT_FOUND?details=true")
        XCTAssertEqual(response.status, 404, response.body)
        let details = try XCTUnwrap(try response.json()["details"] as? [[String: Any]], response.body)
        XCTAssertEqual(
            details.map { $0["@type"] as? String },
            [
                "type.googleapis.com/google.rpc.ErrorInfo", "type.googleapis.com/google.rpc.RetryInfo",
                "type.googleapis.com/google.rpc.BadRequest", "type.googleapis.com/google.rpc.LocalizedMessage",
            ])
        XCTAssertEqual(details[0]["reason"] as? String, "NOT_FOUND")
        XCTAssertEqual(details[0]["metadata"] as? [String: String], ["code": "5", "method": "Fail"])
        XCTAssertEqual(details[1]["retryDelay"] as? String, "1.500s")
        XCTAssertEqual(
            (details[2]["fieldViolations"] as? [[String: String]]) ?? [],
            [["field": "code", "description": "requested failure NOT_FOUND"]])
        XCTAssertEqual(details[3]["locale"] as? String, "en-US")
    }

    // MARK: Metadata

    private func entries(_ response: EndToEndResponse) throws -> [(key: String, value: String, binary: String)] {
        let list = try XCTUnwrap(try response.json()["entries"] as? [[String: Any]], response.body)
        return list.map { ($0["key"] as? String ?? "", $0["value"] as? String ?? "", $0["binaryValue"] as? String ?? "") }
    }

    func testRequestMetadataForwarding() throws {
        let response = try send(
            "POST", "/v1/debug:echoMetadata",
            headers: [
                ("Authorization", "Bearer token-1"), ("Grpc-Metadata-Foo", "bar"), ("X-Tenant-Id", "acme"),
                ("X-Secret", "do-not-forward"), ("Grpc-Metadata-Blob-Bin", "aGk="), ("Cookie", "a=b"),
            ],
            body: #"{"message":"hello"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(try response.json()["message"] as? String, "hello")
        let entries = try entries(response)
        func value(_ key: String) -> String? { entries.first { $0.key == key }?.value }
        XCTAssertEqual(value("authorization"), "Bearer token-1")
        XCTAssertEqual(value("foo"), "bar")
        XCTAssertEqual(value("x-tenant-id"), "acme", "allow-listed by metadata.forward_headers")
        XCTAssertNil(value("x-secret"), "not allow-listed")
        XCTAssertNil(value("cookie"))
        XCTAssertNil(value("grpc-metadata-foo"), "the prefix is stripped")
        XCTAssertEqual(entries.first { $0.key == "blob-bin" }?.binary, "aGk=", "-bin values arrive as bytes")
        XCTAssertEqual(value("x-forwarded-for"), "127.0.0.1")
        let generated = try XCTUnwrap(value("x-request-id"), "x-request-id generated and forwarded")
        XCTAssertFalse(generated.isEmpty)
        XCTAssertEqual(response.header("x-request-id"), generated, "the same id is echoed to the client")
    }

    func testResponseHeadersAndTrailersAsGrpcMetadataHeaders() throws {
        let response = try send(
            "GET", "/v1/debug/metadata",
            headers: [("Grpc-Metadata-Foo", "bar"), ("X-Request-Id", "req-e2e-42"), ("Grpc-Metadata-Blob-Bin", "AAEC")])
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(response.header("x-request-id"), "req-e2e-42", "a client's id is kept")
        XCTAssertEqual(response.header("grpc-metadata-foo"), "bar")
        XCTAssertEqual(response.header("grpc-trailer-trailer-foo"), "bar")
        XCTAssertEqual(response.header("grpc-metadata-blob-bin")?.hasPrefix("AAEC"), true, "binary metadata back as base64")
        let count = try XCTUnwrap(response.header("grpc-trailer-echo-count").flatMap(Int.init), "\(response.headers)")
        XCTAssertEqual(count, try entries(response).count)
        XCTAssertNil(response.header("grpc-metadata-content-type"))
    }

    func testInvalidBase64InBinaryHeaderIs400() throws {
        let response = try send("GET", "/v1/debug/metadata", headers: [("Grpc-Metadata-Blob-Bin", "not base64!")])
        XCTAssertEqual(response.status, 400, response.body)
        XCTAssertTrue((try response.json()["message"] as? String)?.contains("base64") == true, response.body)
    }

    // MARK: Upstream

    func testUnreachableUpstreamIs503WithStatusBody() throws {
        let fixture = try XCTUnwrap(Self.unreachable, EndToEndFixture.startFailure)
        for (method, target, body) in [("GET", "/v1/shelves/1", nil), ("POST", "/v1/shelves", #"{"theme":"x"}"#)] {
            let response = try EndToEndClient.send(port: fixture.port, method, target, body: body)
            XCTAssertEqual(response.status, 503, "\(method) \(target): \(response.body)")
            let status = try response.json()
            XCTAssertEqual(status["code"] as? Int, 14, response.body)
            XCTAssertFalse((status["message"] as? String ?? "").isEmpty, response.body)
            XCTAssertNotNil(status["details"] as? [Any], response.body)
        }
    }
}
