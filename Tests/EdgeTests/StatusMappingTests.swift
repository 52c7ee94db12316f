import NIOCore
import NIOHTTP1
import XCTest
@testable import Edge
@testable import EdgeCore

final class StatusMappingTests: XCTestCase {
    func testGoogleTable() {
        let table: [(GRPCStatusCode, UInt)] = [
            (.ok, 200), (.cancelled, 499), (.unknown, 500), (.invalidArgument, 400), (.deadlineExceeded, 504),
            (.notFound, 404), (.alreadyExists, 409), (.permissionDenied, 403), (.resourceExhausted, 429),
            (.failedPrecondition, 400), (.aborted, 409), (.outOfRange, 400), (.unimplemented, 501),
            (.internal, 500), (.unavailable, 503), (.dataLoss, 500), (.unauthenticated, 401),
        ]
        XCTAssertEqual(table.count, GRPCStatusCode.allCases.count)
        for (code, status) in table {
            XCTAssertEqual(StatusMapping.httpStatus(for: code).code, status, "\(code)")
        }
    }

    func testBackendErrorTakesItsStatusFromTheTable() {
        let error = EdgeError(status: GRPCStatus(code: .unavailable, message: "no endpoints", details: [1, 2]))
        XCTAssertEqual(error.httpStatus, .serviceUnavailable)
        XCTAssertEqual(error.details, [1, 2])
        XCTAssertEqual(EdgeError(status: GRPCStatus(code: .deadlineExceeded)).httpStatus, .gatewayTimeout)
    }

    func testStatusBodyShapeAndEscaping() {
        let error = EdgeError(code: .invalidArgument, message: "bad \"x\"\n\\ \u{01}")
        let body = StatusBody.render(error, detailsRenderer: nil, allocator: ByteBufferAllocator())
        XCTAssertEqual(String(buffer: body), #"{"code":3,"message":"bad \"x\"\n\\ \u0001","details":[]}"#)
    }

    func testDetailsRendererIsUsedOnlyWithDetails() {
        let renderer: StatusDetailsRenderer = { _ in Array(#"[{"@type":"t"}]"#.utf8) }
        let withDetails = EdgeError(status: GRPCStatus(code: .notFound, message: "m", details: [0]))
        XCTAssertEqual(String(buffer: StatusBody.render(withDetails, detailsRenderer: renderer, allocator: .init())), #"{"code":5,"message":"m","details":[{"@type":"t"}]}"#)
        let without = EdgeError(status: GRPCStatus(code: .notFound, message: "m"))
        XCTAssertEqual(String(buffer: StatusBody.render(without, detailsRenderer: renderer, allocator: .init())), #"{"code":5,"message":"m","details":[]}"#)
        let failing: StatusDetailsRenderer = { _ in nil }
        XCTAssertEqual(String(buffer: StatusBody.render(withDetails, detailsRenderer: failing, allocator: .init())), #"{"code":5,"message":"m","details":[]}"#)
    }

    func testEdgeErrorsHaveTheirHTTPStatus() {
        XCTAssertEqual(EdgeError.routeNotFound(method: "GET", path: "/x").httpStatus, .notFound)
        XCTAssertEqual(EdgeError.methodNotAllowed(method: "GET", path: "/x", allowed: ["POST"]).httpStatus, .methodNotAllowed)
        XCTAssertEqual(EdgeError.bodyTooLarge(limit: 1).httpStatus, .payloadTooLarge)
        XCTAssertEqual(EdgeError.urlTooLong(length: 2, limit: 1).httpStatus, .uriTooLong)
        XCTAssertEqual(EdgeError.headersTooLarge(limit: 1).httpStatus, .requestHeaderFieldsTooLarge)
        XCTAssertEqual(EdgeError.unsupportedMediaType("text/plain").httpStatus, .unsupportedMediaType)
        XCTAssertEqual(EdgeError.transcoding(.init(.invalidValue, path: "a.b", "x")).httpStatus, .badRequest)
        XCTAssertEqual(EdgeError.transcoding(.init(.invalidValue, path: "a.b", "x")).message, "a.b: x")
    }

    func testWWWAuthenticateOn401() {
        var headers = HTTPHeaders()
        ErrorResponse.headers(for: EdgeError(code: .unauthenticated, message: "no"), into: &headers)
        XCTAssertEqual(headers["www-authenticate"], ["Bearer"])
        var other = HTTPHeaders()
        ErrorResponse.headers(for: EdgeError(code: .permissionDenied, message: "no"), into: &other)
        XCTAssertFalse(other.contains(name: "www-authenticate"))
    }
}
