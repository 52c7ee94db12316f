import XCTest

@testable import Edge

final class UpstreamEndpointTests: XCTestCase {
    func testParses() {
        XCTAssertEqual(UpstreamEndpoint(parsing: "127.0.0.1:50051"), UpstreamEndpoint(host: "127.0.0.1", port: 50051))
        XCTAssertEqual(UpstreamEndpoint(parsing: "backend.svc.cluster.local:443")?.host, "backend.svc.cluster.local")
        XCTAssertEqual(UpstreamEndpoint(parsing: "[::1]:8080"), UpstreamEndpoint(host: "::1", port: 8080))
    }

    func testRejects() {
        for bad in ["", "host", "host:", ":80", "host:0", "host:70000", "::1:80", "[::1]", "[]:80", "host:x"] {
            XCTAssertNil(UpstreamEndpoint(parsing: bad), bad)
        }
    }

    func testIPLiteralDetection() {
        XCTAssertTrue(UpstreamEndpoint(parsing: "10.0.0.1:1")!.isIPAddress)
        XCTAssertTrue(UpstreamEndpoint(parsing: "[::1]:1")!.isIPAddress)
        XCTAssertFalse(UpstreamEndpoint(parsing: "example.com:1")!.isIPAddress)
    }

    func testDescription() {
        XCTAssertEqual(UpstreamEndpoint(parsing: "[::1]:8080")?.description, "[::1]:8080")
        XCTAssertEqual(UpstreamEndpoint(parsing: "a:1")?.description, "a:1")
    }
}
