import NIOCore
import XCTest

@testable import Edge
@testable import EdgeUpstream

final class GRPCFrameTests: XCTestCase {
    private let payload: [UInt8] = [0x0A, 0x03, 0x61, 0x62, 0x63]

    func testPlainMessageIsCopiedBehindAHeader() {
        let framed = GRPCFrame.framed(ByteBuffer(bytes: self.payload))
        XCTAssertEqual(Array(framed.readableBytesView), [0, 0, 0, 0, 5] + self.payload)
    }

    func testHeaderWrittenInFrontIsUsedWithoutACopy() {
        // What SchemaTranscoder.prepare produces: the header before the readable bytes.
        var message = ByteBuffer()
        message.writeInteger(UInt8(0))
        message.writeInteger(UInt32(self.payload.count))
        message.writeBytes(self.payload)
        message.moveReaderIndex(forwardBy: GRPCFrame.headerLength)
        XCTAssertEqual(Array(message.readableBytesView), self.payload)

        let framed = GRPCFrame.framed(message)
        XCTAssertEqual(Array(framed.readableBytesView), [0, 0, 0, 0, 5] + self.payload)
        let shared = message.withUnsafeReadableBytes { message in
            framed.withUnsafeReadableBytes { framed in framed.baseAddress! + GRPCFrame.headerLength == message.baseAddress! }
        }
        XCTAssertTrue(shared, "the framed buffer should share the message's storage")
    }

    func testOtherBytesInFrontAreNotMistakenForAHeader() {
        for prefix: [UInt8] in [[1, 0, 0, 0, 5], [0, 0, 0, 0, 4], [0, 0, 0, 1, 5]] {
            var message = ByteBuffer(bytes: prefix + self.payload)
            message.moveReaderIndex(forwardBy: 5)
            let framed = GRPCFrame.framed(message)
            XCTAssertEqual(Array(framed.readableBytesView), [0, 0, 0, 0, 5] + self.payload, "\(prefix)")
        }
        var short = ByteBuffer(bytes: [0, 0] + self.payload)
        short.moveReaderIndex(forwardBy: 2)
        XCTAssertEqual(Array(GRPCFrame.framed(short).readableBytesView), [0, 0, 0, 0, 5] + self.payload)
    }

    func testEmptyMessage() {
        XCTAssertEqual(Array(GRPCFrame.framed(ByteBuffer()).readableBytesView), [0, 0, 0, 0, 0])
    }
}
