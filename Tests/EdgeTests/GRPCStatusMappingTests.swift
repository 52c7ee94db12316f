import NIOHTTP2
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

final class GRPCStatusMappingTests: XCTestCase {
    func testHTTPStatusTable() {
        let expected: [Int: GRPCStatusCode] = [
            400: .internal, 401: .unauthenticated, 403: .permissionDenied, 404: .unimplemented,
            429: .unavailable, 502: .unavailable, 503: .unavailable, 504: .unavailable,
            200: .unknown, 500: .unknown, 418: .unknown,
        ]
        for (http, code) in expected {
            XCTAssertEqual(GRPCStatusMapping.code(forHTTPStatus: http), code, "HTTP \(http)")
        }
    }

    func testHTTP2ErrorCodes() {
        XCTAssertEqual(GRPCStatusMapping.code(forHTTP2Error: .refusedStream), .unavailable)
        XCTAssertEqual(GRPCStatusMapping.code(forHTTP2Error: .cancel), .cancelled)
        XCTAssertEqual(GRPCStatusMapping.code(forHTTP2Error: .enhanceYourCalm), .resourceExhausted)
        XCTAssertEqual(GRPCStatusMapping.code(forHTTP2Error: .inadequateSecurity), .permissionDenied)
        XCTAssertEqual(GRPCStatusMapping.code(forHTTP2Error: .protocolError), .internal)
        XCTAssertEqual(GRPCStatusMapping.code(forHTTP2Error: .noError), .internal)
    }

    func testGRPCStatusValues() {
        XCTAssertEqual(GRPCStatusMapping.code(forGRPCStatusValue: "0"), .ok)
        XCTAssertEqual(GRPCStatusMapping.code(forGRPCStatusValue: "16"), .unauthenticated)
        XCTAssertEqual(GRPCStatusMapping.code(forGRPCStatusValue: "17"), .unknown)
        XCTAssertEqual(GRPCStatusMapping.code(forGRPCStatusValue: "abc"), .unknown)
        XCTAssertEqual(GRPCStatusMapping.code(forGRPCStatusValue: "-1"), .unknown)
    }
}
