@testable import Edge
import Foundation
import NIOCore
import NIOWebSocket
import XCTest
@testable import EdgeCore

final class WebSocketCloseStatusTests: XCTestCase {
    func testCloseCodes() {
        XCTAssertEqual(WebSocketCloseStatus.closeCode(for: .ok), .normalClosure)
        XCTAssertEqual(WebSocketCloseStatus.closeCode(for: .invalidArgument), .unknown(4003))
        XCTAssertEqual(WebSocketCloseStatus.closeCode(for: .unauthenticated), .unknown(4016))
    }

    func testShortReasonIsTheCompactStatus() {
        var buffer = ByteBuffer()
        WebSocketCloseStatus.writeReason(code: .notFound, message: "no \"book\"\n", into: &buffer)
        XCTAssertEqual(String(buffer: buffer), #"{"code":5,"message":"no \"book\"\n"}"#)
    }

    func testLongReasonIsCutToStayValidJSONWithin123Bytes() throws {
        for message in [
            String(repeating: "x", count: 500),
            String(repeating: "é\"", count: 200),
            String(repeating: "\u{1}", count: 100),
            String(repeating: "🙂", count: 100),
        ] {
            var buffer = ByteBuffer()
            WebSocketCloseStatus.writeReason(code: .internal, message: message, into: &buffer)
            XCTAssertLessThanOrEqual(buffer.readableBytes, 123)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
            XCTAssertEqual(object["code"] as? Int, 13)
            let text = try XCTUnwrap(object["message"] as? String)
            XCTAssertTrue(text.hasSuffix("…"))
            XCTAssertTrue(message.hasPrefix(String(text.dropLast())))
        }
    }

    func testClosePayloadStartsWithTheCode() {
        let payload = WebSocketCloseStatus.closePayload(
            code: .unknown(4014), error: EdgeError(code: .unavailable, message: "down"), allocator: ByteBufferAllocator())
        XCTAssertEqual(Array(payload.readableBytesView.prefix(2)), [0x0F, 0xAE])
        XCTAssertEqual(String(decoding: payload.readableBytesView.dropFirst(2), as: UTF8.self), #"{"code":14,"message":"down"}"#)
        let ok = WebSocketCloseStatus.closePayload(code: .normalClosure, error: nil, allocator: ByteBufferAllocator())
        XCTAssertEqual(Array(ok.readableBytesView), [0x03, 0xE8])
    }

    func testErrorFrameWrapsTheStatus() {
        let frame = WebSocketCloseStatus.errorFrame(
            EdgeError(code: .invalidArgument, message: "bad", details: [1]), detailsRenderer: { _ in Array(#"[{"@type":"t"}]"#.utf8) },
            allocator: ByteBufferAllocator())
        XCTAssertEqual(frame.map { String(buffer: $0) }, #"{"error":{"code":3,"message":"bad","details":[{"@type":"t"}]}}"#)
        let empty = WebSocketCloseStatus.errorFrame(
            EdgeError(code: .aborted, message: "no details", details: [1]), detailsRenderer: { _ in Array("[]".utf8) },
            allocator: ByteBufferAllocator())
        XCTAssertNil(empty)
    }
}
