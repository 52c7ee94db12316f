import Foundation
import XCTest

/// Deadlines and retries, configured per route in YAML, through the real edge and the
/// demo service's Sleep and Flaky methods.
final class EndToEndPolicyTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: EndToEndFixture?

    /// Sleep's method default is 100 ms; its POST binding has a 1 s default and a 1 s
    /// maximum. Flaky's default route allows retries although POST is not idempotent.
    static let routes = """
          demo.bookstore.v1.Bookstore.Sleep: {timeout: 100ms}
          "POST /v1/debug:sleep": {timeout: 1s, max_timeout: 1s}
          "POST /demo.bookstore.v1.Bookstore/Flaky": {allow_retries: true}
        """

    override class func setUp() {
        super.setUp()
        fixture = EndToEndFixture.startForClass(routesYAML: routes)
    }

    override class func tearDown() {
        if let fixture { _ = try? EndToEndFixture.blocking { await fixture.shutdown() } }
        fixture = nil
        super.tearDown()
    }

    private func send(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil
    ) throws -> EndToEndResponse {
        let fixture = try XCTUnwrap(Self.fixture, EndToEndFixture.startFailure)
        return try EndToEndClient.send(port: fixture.port, method, target, headers: headers, body: body)
    }

    /// The deadline cut the call short: DEADLINE_EXCEEDED, where the backend, left to sleep
    /// its full duration, would have answered 200. Outcome only (no timing assertion, which
    /// flakes on a loaded machine); the time taken is printed as a measurement.
    private func assertDeadlineExceeded(_ response: EndToEndResponse, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(response.status, 504, response.body, file: file, line: line)
        XCTAssertEqual(try response.json()["code"] as? Int, 4, response.body, file: file, line: line)
        print(String(format: "deadline measurement (line %d): 504 after %.3f s", line, response.elapsed))
    }

    // MARK: Deadlines

    func testWithoutTimeoutHeaderTheRouteDefaultAllowsTheCall() throws {
        let response = try send("POST", "/v1/debug:sleep", body: #"{"duration":"0.3s"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        let slept = try XCTUnwrap(try response.json()["slept"] as? String)
        XCTAssertTrue(slept.hasPrefix("0.3"), slept)
    }

    func testGRPCTimeoutHeader() throws {
        let response = try send("POST", "/v1/debug:sleep", headers: [("grpc-timeout", "100m")], body: #"{"duration":"3s"}"#)
        try assertDeadlineExceeded(response)
    }

    func testXRequestTimeoutHeader() throws {
        let response = try send("POST", "/v1/debug:sleep", headers: [("X-Request-Timeout", "0.1")], body: #"{"duration":"3s"}"#)
        try assertDeadlineExceeded(response)
    }

    func testInvalidTimeoutHeaderIs400() throws {
        let response = try send("POST", "/v1/debug:sleep", headers: [("grpc-timeout", "soon")], body: #"{"duration":"0s"}"#)
        XCTAssertEqual(response.status, 400, response.body)
        XCTAssertTrue((try response.json()["message"] as? String)?.contains("grpc-timeout") == true, response.body)
    }

    func testRouteDefaultTimeoutFromConfig() throws {
        // GET /v1/debug/sleep has only the method entry: 100 ms.
        let response = try send("GET", "/v1/debug/sleep?duration=2s")
        try assertDeadlineExceeded(response)
        let quick = try send("GET", "/v1/debug/sleep?duration=0.01s")
        XCTAssertEqual(quick.status, 200, quick.body)
    }

    func testRequestedTimeoutIsClampedToMaxTimeout() throws {
        let response = try send("POST", "/v1/debug:sleep", headers: [("X-Request-Timeout", "30")], body: #"{"duration":"3s"}"#)
        try assertDeadlineExceeded(response)
        // The clamp is to the 1 s maximum, not below it (not the 100 ms method default): 0.5 s fits.
        let fits = try send("POST", "/v1/debug:sleep", headers: [("X-Request-Timeout", "30")], body: #"{"duration":"0.5s"}"#)
        XCTAssertEqual(fits.status, 200, fits.body)
    }

    // MARK: Retries

    func testGETMappedFlakySucceedsThroughRetries() throws {
        let response = try send("GET", "/v1/debug/flaky/e2e-get?failures=2")
        XCTAssertEqual(response.status, 200, response.body)
        let body = try response.json()
        XCTAssertEqual(body["key"] as? String, "e2e-get")
        XCTAssertEqual(body["attempts"] as? Int, 3, "two failed attempts, retried: \(response.body)")
        XCTAssertEqual(response.header("grpc-metadata-flaky-attempt"), "3")
    }

    func testAllowRetriesRetriesANonIdempotentRoute() throws {
        let response = try send("POST", "/demo.bookstore.v1.Bookstore/Flaky", body: #"{"key":"e2e-allowed","failures":2}"#)
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(try response.json()["attempts"] as? Int, 3, response.body)
    }

    func testNonIdempotentPostIsNotRetried() throws {
        let first = try send("POST", "/v1/debug:flaky", body: #"{"key":"e2e-post","failures":1}"#)
        XCTAssertEqual(first.status, 503, first.body)
        let status = try first.json()
        XCTAssertEqual(status["code"] as? Int, 14)
        XCTAssertTrue((status["message"] as? String)?.contains("attempt 1 of 1") == true, first.body)
        // Exactly one attempt was made: the next call is the second, and succeeds.
        let second = try send("POST", "/v1/debug:flaky", body: #"{"key":"e2e-post","failures":1}"#)
        XCTAssertEqual(second.status, 200, second.body)
        XCTAssertEqual(try second.json()["attempts"] as? Int, 2, second.body)
    }

    func testRetriesStopAtMaxAttempts() throws {
        let response = try send("GET", "/v1/debug/flaky/e2e-exhausted?failures=5")
        XCTAssertEqual(response.status, 503, response.body)
        let details = try XCTUnwrap(try response.json()["details"] as? [[String: Any]], response.body)
        let info = try XCTUnwrap(details.first { $0["@type"] as? String == "type.googleapis.com/google.rpc.ErrorInfo" }, response.body)
        XCTAssertEqual((info["metadata"] as? [String: String])?["attempt"], "3", "three attempts (max_attempts), the last one's status")
    }
}
