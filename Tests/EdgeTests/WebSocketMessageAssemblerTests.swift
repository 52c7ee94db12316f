@testable import Edge
import NIOCore
import NIOWebSocket
import XCTest

final class WebSocketMessageAssemblerTests: XCTestCase {
    private let mask: WebSocketMaskingKey = [1, 2, 3, 4]

    private func frame(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true, masked: Bool = true) -> WebSocketFrame {
        var data = ByteBuffer(string: text)
        if masked { data.webSocketMask(mask) }
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: masked ? mask : nil, data: data)
    }

    func testWholeFrameIsOneMessageUnmasked() {
        var assembler = WebSocketMessageAssembler(maxMessageBytes: 100)
        XCTAssertEqual(assembler.append(frame(.text, "{}")), .message(.text, ByteBuffer(string: "{}")))
    }

    func testFragmentsJoin() {
        var assembler = WebSocketMessageAssembler(maxMessageBytes: 100)
        XCTAssertEqual(assembler.append(frame(.text, "ab", fin: false)), .incomplete)
        XCTAssertTrue(assembler.isAssembling)
        XCTAssertEqual(assembler.append(frame(.continuation, "cd", fin: false)), .incomplete)
        XCTAssertEqual(assembler.append(frame(.continuation, "ef")), .message(.text, ByteBuffer(string: "abcdef")))
        XCTAssertFalse(assembler.isAssembling)
        XCTAssertEqual(assembler.append(frame(.binary, "x")), .message(.binary, ByteBuffer(string: "x")))
    }

    func testLimitCountsTheWholeMessage() {
        var assembler = WebSocketMessageAssembler(maxMessageBytes: 5)
        XCTAssertEqual(assembler.append(frame(.text, "abc", fin: false)), .incomplete)
        XCTAssertEqual(assembler.append(frame(.continuation, "def")), .failed(.tooLarge(limit: 5)))
        XCTAssertEqual(assembler.append(frame(.text, "abcdef")), .failed(.tooLarge(limit: 5)))
    }

    func testProtocolViolations() {
        var assembler = WebSocketMessageAssembler(maxMessageBytes: 100)
        guard case .failed(.protocolViolation) = assembler.append(frame(.text, "x", masked: false)) else { return XCTFail("unmasked") }
        guard case .failed(.protocolViolation) = assembler.append(frame(.continuation, "x")) else { return XCTFail("lone continuation") }
        XCTAssertEqual(assembler.append(frame(.text, "a", fin: false)), .incomplete)
        guard case .failed(.protocolViolation) = assembler.append(frame(.text, "b")) else { return XCTFail("interleaved message") }
        var reserved = frame(.text, "x")
        reserved.rsv1 = true
        XCTAssertNotNil(WebSocketMessageAssembler.check(reserved))
    }
}
