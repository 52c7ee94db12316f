import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest
@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore

final class HeadValidatorTests: XCTestCase {
    private func head(_ headers: [(String, String)], uri: String = "/x") -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: .POST, uri: uri, headers: HTTPHeaders(headers))
    }

    func testFraming() throws {
        let limits = HTTPLimits()
        XCTAssertEqual(try HeadValidator.validate(head([]), limits: limits).get(), .init(hasBody: false, contentLength: nil))
        XCTAssertEqual(try HeadValidator.validate(head([("Content-Length", "0")]), limits: limits).get(), .init(hasBody: false, contentLength: 0))
        XCTAssertEqual(try HeadValidator.validate(head([("Content-Length", "12")]), limits: limits).get(), .init(hasBody: true, contentLength: 12))
        XCTAssertEqual(try HeadValidator.validate(head([("Transfer-Encoding", "chunked")]), limits: limits).get(), .init(hasBody: true, contentLength: nil))
    }

    func testSmugglingShapes() {
        let limits = HTTPLimits()
        let refused: [[(String, String)]] = [
            [("Content-Length", "3"), ("Transfer-Encoding", "chunked")],
            [("Content-Length", "3"), ("Content-Length", "4")],
            [("Content-Length", "3, 4")],
            [("Transfer-Encoding", "gzip, chunked")],
            [("Transfer-Encoding", "identity")],
            [("Content-Length", "+3")],
            [("Content-Length", "abc")],
        ]
        for headers in refused {
            XCTAssertThrowsError(try HeadValidator.validate(head(headers), limits: limits).get(), "\(headers)") { error in
                XCTAssertEqual((error as? EdgeError)?.httpStatus, .badRequest)
                XCTAssertEqual((error as? EdgeError)?.closeConnection, true)
            }
        }
        XCTAssertNoThrow(try HeadValidator.validate(head([("Content-Length", "3"), ("Content-Length", "3")]), limits: limits).get())
    }

    func testSizeLimits() {
        var limits = HTTPLimits()
        limits.maxURLBytes = 10
        limits.maxHeaderBytes = 20
        XCTAssertEqual(err(HeadValidator.validate(head([], uri: "/0123456789"), limits: limits))?.httpStatus, .uriTooLong)
        XCTAssertEqual(err(HeadValidator.validate(head([("a", String(repeating: "b", count: 20))]), limits: limits))?.httpStatus, .requestHeaderFieldsTooLarge)
        XCTAssertNil(err(HeadValidator.validate(head([("a", "b")], uri: "/012345678"), limits: limits)))
    }

    private func err(_ result: Result<HeadValidator.Framing, EdgeError>) -> EdgeError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    /// What NIO's decoder (llhttp) itself refuses, before our checks run.
    func testNIODecoderRefusesSmuggling() throws {
        let attempts = [
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        ]
        for attempt in attempts {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
            XCTAssertThrowsError(try channel.writeInbound(ByteBuffer(string: attempt)), attempt) { error in
                XCTAssertTrue(error is HTTPParserError, "\(error)")
            }
            _ = try? channel.finish()
        }
    }

    func testJSONMediaTypes() {
        for good in ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=\"UTF-8\"", "application/problem+json", "application/vnd.x+json; charset=utf8"] {
            XCTAssertTrue(JSONMediaType.isJSON(good), good)
        }
        for bad in ["text/json", "application/json; charset=latin1", "application/jsonx", "+json", "application/+json", "text/plain", ""] {
            XCTAssertFalse(JSONMediaType.isJSON(bad), bad)
        }
    }

    func testConnectionTimeoutStates() {
        var timeouts = ConnectionTimeouts(idleTimeout: .seconds(60), headerReadTimeout: .seconds(10))
        XCTAssertEqual(timeouts.start(), .arm(.seconds(60)))
        XCTAssertEqual(timeouts.bytesReceived(), .arm(.seconds(10)))
        XCTAssertEqual(timeouts.bytesReceived(), .none)
        XCTAssertEqual(timeouts.headReceived(), .cancel)
        XCTAssertEqual(timeouts.bytesReceived(), .none)
        XCTAssertEqual(timeouts.expired(), .ignore)
        XCTAssertEqual(timeouts.responseCompleted(), .arm(.seconds(60)))
        XCTAssertEqual(timeouts.expired(), .idle)
        var reading = ConnectionTimeouts(idleTimeout: .seconds(60), headerReadTimeout: .seconds(10))
        _ = reading.bytesReceived()
        XCTAssertEqual(reading.expired(), .headerRead)
        XCTAssertEqual(reading.closed(), .cancel)
    }
}
