@testable import Edge
import XCTest

final class WebSocketStreamStateTests: XCTestCase {
    private let bidi = WebSocketStreamState.Shape(acceptsBody: true, streamsRequests: true)
    private let serverStreamingWithBody = WebSocketStreamState.Shape(acceptsBody: true, streamsRequests: false)
    private let serverStreamingFromPath = WebSocketStreamState.Shape(acceptsBody: false, streamsRequests: false)

    func testBidiSendsEveryMessageAndHalfClosesOnTheClientsClose() {
        var state = WebSocketStreamState(shape: bidi)
        XCTAssertEqual(state.callOpened(), .drop)
        XCTAssertEqual(state.receivedMessage(label: "r"), .send(finishSending: false))
        XCTAssertEqual(state.receivedMessage(label: "r"), .send(finishSending: false))
        XCTAssertEqual(state.receivedClientClose(), .finishSending(sendBindingsFirst: false))
        XCTAssertEqual(state.receivedMessage(label: "r"), .drop)
        XCTAssertEqual(state.phase, .open)
        // The status comes after the half-close; the client already closed, so the connection follows.
        XCTAssertEqual(state.callEnded(), .sendClose(cancelCall: false, closeAfterWrite: true))
        XCTAssertEqual(state.phase, .closing)
        XCTAssertTrue(state.closeConnection())
        XCTAssertFalse(state.connectionClosed())
    }

    func testCallEndFirstThenTheClientsCloseCompletesTheHandshake() {
        var state = WebSocketStreamState(shape: bidi)
        XCTAssertEqual(state.callEnded(), .sendClose(cancelCall: false, closeAfterWrite: false))
        XCTAssertEqual(state.receivedMessage(label: "r"), .drop)
        XCTAssertFalse(state.writesFrames)
        XCTAssertEqual(state.receivedClientClose(), .closeConnection)
        XCTAssertEqual(state.phase, .closed)
    }

    func testRouteWithoutBodySendsTheBindingsAtOnceAndRefusesMessages() {
        var state = WebSocketStreamState(shape: serverStreamingFromPath)
        XCTAssertEqual(state.callOpened(), .send(finishSending: true))
        guard case .refuse(let reason) = state.receivedMessage(label: "GET /v1/x") else { return XCTFail("not refused") }
        XCTAssertTrue(reason.hasPrefix("GET /v1/x takes no request messages"))
    }

    func testServerStreamingWithBodyTakesExactlyOneMessage() {
        var state = WebSocketStreamState(shape: serverStreamingWithBody)
        XCTAssertEqual(state.receivedMessage(label: "r"), .send(finishSending: true))
        guard case .refuse = state.receivedMessage(label: "r") else { return XCTFail("second message not refused") }
        var silent = WebSocketStreamState(shape: serverStreamingWithBody)
        XCTAssertEqual(silent.receivedClientClose(), .finishSending(sendBindingsFirst: true))
    }

    func testFailureCancelsALiveCallOnce() {
        var state = WebSocketStreamState(shape: bidi)
        XCTAssertEqual(state.failed(awaitClientClose: true), .sendClose(cancelCall: true, closeAfterWrite: false))
        XCTAssertFalse(state.callLive)
        XCTAssertEqual(state.failed(awaitClientClose: true), .none)
        XCTAssertEqual(state.callEnded(), .none)
        // A broken decoder while closing: no close frame will come, close now.
        XCTAssertEqual(state.failed(awaitClientClose: false), .closeConnection)
        XCTAssertEqual(state.phase, .closed)
    }

    func testFailureWithABrokenDecoderClosesAfterTheCloseFrame() {
        var state = WebSocketStreamState(shape: bidi)
        XCTAssertEqual(state.failed(awaitClientClose: false), .sendClose(cancelCall: true, closeAfterWrite: true))
    }

    func testConnectionLossCancelsOnlyALiveCall() {
        var live = WebSocketStreamState(shape: bidi)
        XCTAssertTrue(live.connectionClosed())
        XCTAssertFalse(live.connectionClosed())
        var ended = WebSocketStreamState(shape: bidi)
        _ = ended.callEnded()
        XCTAssertFalse(ended.connectionClosed())
        XCTAssertEqual(ended.receivedClientClose(), .none)
    }
}
