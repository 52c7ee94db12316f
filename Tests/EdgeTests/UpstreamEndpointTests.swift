import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeUpstream

final class UpstreamEndpointTests: XCTestCase {
    func testParses() {
        XCTAssertEqual(UpstreamEndpoint(parsing: "127.0.0.1:50051"), UpstreamEndpoint(host: "127.0.0.1", port: 50051))
        XCTAssertEqual(UpstreamEndpoint(parsing: "backend.svc.cluster.local:443")?.host, "backend.svc.cluster.local")
        XCTAssertEqual(UpstreamEndpoint(parsing: "[::1]:8080"), UpstreamEndpoint(host: "::1", port: 8080))
    }

    func testRejects() {
        for bad in ["", "host", "host:", ":80", "host:0", "host:70000", "::1:80", "[::1]", "[]:80", "host:x", "a b:80", "[a b]:80"] {
            XCTAssertNil(UpstreamEndpoint(parsing: bad), bad)
        }
    }

    /// The configuration's endpoints are the upstream client's, parsed once: no text between them.
    func testTheConfigurationParsesEndpointsOnce() throws {
        let config = try ConfigLoader.parse(yaml: """
            descriptors: [a.protoset]
            clusters:
              - {name: a, endpoints: ["10.0.0.1:50051", "[::1]:8080", "backend:443"], services: [a]}
            """, checkFiles: false).get()
        XCTAssertEqual(
            config.clusters[0].endpoints,
            [UpstreamEndpoint(host: "10.0.0.1", port: 50051), UpstreamEndpoint(host: "::1", port: 8080), UpstreamEndpoint(host: "backend", port: 443)])
        let pool = try UpstreamPool(config: config)
        XCTAssertEqual(pool.clusters["a"]?.endpoints, config.clusters[0].endpoints)
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
