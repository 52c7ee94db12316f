import NIOCore
import NIOHTTP1
import XCTest
@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgePolicy

final class MetadataTests: XCTestCase {
    func testGRPCTimeoutSyntax() {
        XCTAssertEqual(TimeoutHeader.parseGRPCTimeout("10S"), .seconds(10))
        XCTAssertEqual(TimeoutHeader.parseGRPCTimeout("500m"), .milliseconds(500))
        XCTAssertEqual(TimeoutHeader.parseGRPCTimeout("100u"), .microseconds(100))
        XCTAssertEqual(TimeoutHeader.parseGRPCTimeout("7n"), .nanoseconds(7))
        XCTAssertEqual(TimeoutHeader.parseGRPCTimeout("2M"), .minutes(2))
        XCTAssertEqual(TimeoutHeader.parseGRPCTimeout("1H"), .hours(1))
        XCTAssertEqual(TimeoutHeader.parseGRPCTimeout("99999999S"), .seconds(99_999_999))
        for bad in ["", "S", "10", "123456789S", "1.5S", "-1S", "10s", "10 S", "1x"] {
            XCTAssertNil(TimeoutHeader.parseGRPCTimeout(Substring(bad)), bad)
        }
    }

    func testRequestTimeoutSeconds() {
        XCTAssertEqual(TimeoutHeader.parseSeconds("5"), .seconds(5))
        XCTAssertEqual(TimeoutHeader.parseSeconds("0.25"), .milliseconds(250))
        XCTAssertEqual(TimeoutHeader.parseSeconds("1.000000001"), .nanoseconds(1_000_000_001))
        XCTAssertEqual(TimeoutHeader.parseSeconds(".5"), .milliseconds(500))
        for bad in ["", ".", "1.2.3", "-1", "abc", "1e3", "1.0000000001", "100000"] {
            XCTAssertNil(TimeoutHeader.parseSeconds(Substring(bad)), bad)
        }
    }

    func testDeadlineChoiceAndClamp() throws {
        func resolve(_ headers: [(String, String)]) throws -> TimeAmount {
            try DeadlineResolver.timeout(headers: HTTPHeaders(headers), defaultTimeout: .seconds(15), maxTimeout: .seconds(60)).get()
        }
        XCTAssertEqual(try resolve([]), .seconds(15))
        XCTAssertEqual(try resolve([("grpc-timeout", "2S")]), .seconds(2))
        XCTAssertEqual(try resolve([("Grpc-Timeout", "30S")]), .seconds(30))
        XCTAssertEqual(try resolve([("grpc-timeout", "2H")]), .seconds(60))
        XCTAssertEqual(try resolve([("X-Request-Timeout", "1.5")]), .milliseconds(1500))
        XCTAssertEqual(try resolve([("X-Request-Timeout", "3"), ("grpc-timeout", "2S")]), .seconds(2))
        XCTAssertThrowsError(try resolve([("grpc-timeout", "fast")]))
        XCTAssertThrowsError(try resolve([("x-request-timeout", "1s")]))
    }

    func testBase64Check() {
        for good in ["", "AAEC", "AAE", "AA", "AA==", "AAE=", "YWJjZA==", "+/+/"] {
            XCTAssertTrue(Base64Check.isValid(Substring(good)), good)
        }
        for bad in ["A", "AAECA", "A===", "AA=A", "AAE!", "AA==AA", "AA-_", "AAA=="] {
            XCTAssertFalse(Base64Check.isValid(Substring(bad)), bad)
        }
    }

    func testRequestMetadataRules() throws {
        let headers = HTTPHeaders([
            ("Host", "h"), ("Authorization", "Basic x"), ("Grpc-Metadata-Trace-Id", "t"),
            ("Grpc-Metadata-Grpc-Status", "0"), ("Grpc-Metadata-Content-Type", "evil"),
            ("Transfer-Encoding", "chunked"), ("TE", "trailers"), ("Upgrade", "h2c"), ("X-Custom", "c"),
            ("Proxy-Authorization", "p"), ("X-Forwarded-For", "1.1.1.1"), ("X-Forwarded-For", "2.2.2.2"),
        ])
        let policy = MetadataPolicy(forwardedHeaders: ["x-custom", "te"])
        let metadata = try RequestMetadata.build(headers: headers, policy: policy, remoteIP: "9.9.9.9", requestID: "rid").get()
        let names = metadata.map(\.name)
        XCTAssertEqual(names, ["authorization", "trace-id", "x-custom", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-request-id"])
        XCTAssertEqual(metadata.first { $0.name == "x-forwarded-for" }?.value, "1.1.1.1, 2.2.2.2, 9.9.9.9")
        XCTAssertEqual(metadata.first { $0.name == "x-forwarded-host" }?.value, "h")
    }

    func testBinaryMetadataIsValidated() {
        let ok = RequestMetadata.build(headers: HTTPHeaders([("grpc-metadata-a-bin", "AAEC")]), policy: .init(), remoteIP: nil, requestID: "r")
        XCTAssertNoThrow(try ok.get())
        let bad = RequestMetadata.build(headers: HTTPHeaders([("grpc-metadata-a-bin", "%%%")]), policy: .init(), remoteIP: nil, requestID: "r")
        XCTAssertThrowsError(try bad.get()) { error in
            XCTAssertEqual((error as? EdgeError)?.httpStatus, .badRequest)
        }
    }

    func testResponseMetadataHeaders() {
        var headers = HTTPHeaders()
        ResponseMetadata.apply(
            headers: [("x-a", "1"), ("blob-bin", "AAEC"), ("x-split", "a\r\nInjected: 1")],
            trailers: [("x-t", "2")], to: &headers)
        XCTAssertEqual(headers["grpc-metadata-x-a"], ["1"])
        XCTAssertEqual(headers["grpc-metadata-blob-bin"], ["AAEC"])
        XCTAssertEqual(headers["grpc-trailer-x-t"], ["2"])
        XCTAssertFalse(headers.contains(name: "grpc-metadata-x-split"))
    }

    func testRequestIDs() {
        var generator = RequestIDGenerator(seed: 42)
        let first = generator.make()
        let second = generator.make()
        XCTAssertEqual(first.count, 32)
        XCTAssertNotEqual(first, second)
        XCTAssertTrue(first.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        XCTAssertTrue(RequestIDGenerator.isAcceptable("abc-123"))
        XCTAssertFalse(RequestIDGenerator.isAcceptable("has space"))
        XCTAssertFalse(RequestIDGenerator.isAcceptable(String(repeating: "a", count: 200)))
    }
}
