@testable import Edge
import XCTest

/// The turn-taking state of ``HTTPPipeliningHandler`` and the response-header value checks, without sockets.
final class HTTPPipeliningStateTests: XCTestCase {
    func testRequestThenResponseReturnsToIdle() {
        var state = HTTPPipeliningState()
        XCTAssertEqual(state.delivered(head: true, end: false), .none)
        XCTAssertEqual(state.exchange, .receiving)
        XCTAssertEqual(state.delivered(head: false, end: true), .none)
        XCTAssertEqual(state.exchange, .responding)
        XCTAssertEqual(state.responseEnded(nothingBuffered: true), .none)
        XCTAssertEqual(state.exchange, .idle)
    }

    func testEarlyResponseWaitsForTheRequestEnd() {
        var state = HTTPPipeliningState()
        _ = state.delivered(head: true, end: false)
        XCTAssertEqual(state.responseEnded(nothingBuffered: true), .none)
        XCTAssertEqual(state.exchange, .finishingRequest)
        _ = state.delivered(head: false, end: true)
        XCTAssertEqual(state.exchange, .idle)
    }

    func testFinWhileRespondingClosesAfterTheLastResponse() {
        var state = HTTPPipeliningState()
        _ = state.delivered(head: true, end: true)
        XCTAssertEqual(state.inputClosedDelivered(), .none)
        XCTAssertEqual(state.responseEnded(nothingBuffered: true), .closeAfterWrite)
        XCTAssertTrue(state.dropsRequests)
    }

    func testFinWhenIdleClosesAtOnce() {
        var state = HTTPPipeliningState()
        XCTAssertEqual(state.inputClosedDelivered(), .close)
        XCTAssertEqual(state.inputClosedDelivered(), .none)
    }

    func testQuiesce() {
        var idle = HTTPPipeliningState()
        XCTAssertEqual(idle.quiesce(), .close)

        var responding = HTTPPipeliningState()
        _ = responding.delivered(head: true, end: true)
        XCTAssertEqual(responding.quiesce(), .none)
        XCTAssertTrue(responding.dropsRequests)
        XCTAssertEqual(responding.responseEnded(nothingBuffered: false), .closeAfterWrite)

        var receiving = HTTPPipeliningState()
        _ = receiving.delivered(head: true, end: false)
        XCTAssertEqual(receiving.quiesce(), .none)
        XCTAssertFalse(receiving.dropsRequests, "the rest of the request in progress is still delivered")
        _ = receiving.delivered(head: false, end: true)
        XCTAssertTrue(receiving.dropsRequests)
        XCTAssertEqual(receiving.responseEnded(nothingBuffered: true), .closeAfterWrite)

        var answeredEarly = HTTPPipeliningState()
        _ = answeredEarly.delivered(head: true, end: false)
        _ = answeredEarly.responseEnded(nothingBuffered: true)
        XCTAssertEqual(answeredEarly.quiesce(), .none)
        XCTAssertEqual(answeredEarly.delivered(head: false, end: true), .close)
    }

    func testParseErrorTakesATurn() {
        var state = HTTPPipeliningState()
        state.deliveredError()
        XCTAssertEqual(state.exchange, .responding)
        _ = state.responseEnded(nothingBuffered: true)
        XCTAssertEqual(state.exchange, .idle)
    }

    func testRawContentTypeFromTheBackendIsChecked() {
        XCTAssertEqual(ResponseHeaderValue.rawContentType("image/png"), "image/png")
        XCTAssertEqual(ResponseHeaderValue.rawContentType(""), "application/octet-stream")
        XCTAssertEqual(ResponseHeaderValue.rawContentType("text/plain\r\nSet-Cookie: a=b"), "application/octet-stream")
        XCTAssertEqual(ResponseHeaderValue.rawContentType("a\u{0}b"), "application/octet-stream")
    }
}
