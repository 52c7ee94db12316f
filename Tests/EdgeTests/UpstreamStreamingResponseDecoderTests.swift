import NIOCore
import NIOHPACK
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

final class UpstreamStreamingResponseDecoderTests: XCTestCase {
    private let okHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc", "x-h": "1"]

    private func framed(_ messages: [[UInt8]], flag: UInt8 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        for bytes in messages {
            buffer.writeInteger(flag)
            buffer.writeInteger(UInt32(bytes.count))
            buffer.writeBytes(bytes)
        }
        return buffer
    }

    private func drain(_ decoder: inout UpstreamStreamingResponseDecoder) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        while case .message(let message) = decoder.nextMessage() {
            messages.append(Array(message.readableBytesView))
        }
        return messages
    }

    private func headerNames(_ action: UpstreamStreamingResponseDecoder.Action) -> [String]? {
        guard case .receivedHeaders(let headers) = action else { return nil }
        return headers.map(\.name)
    }

    private func finished(_ action: UpstreamStreamingResponseDecoder.Action, file: StaticString = #filePath, line: UInt = #line) -> (GRPCStatus, [String])? {
        guard case .finished(let status, let trailers) = action else {
            XCTFail("expected finished, got \(action)", file: file, line: line)
            return nil
        }
        return (status, trailers.map(\.name))
    }

    private func failure(_ action: UpstreamStreamingResponseDecoder.Action) -> GRPCStatus? {
        guard case .failAndReset(let status) = action else { return nil }
        return status
    }

    func testSeveralMessagesInOneFrameThenTrailers() {
        var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        XCTAssertEqual(headerNames(decoder.receiveHeaders(okHeaders, endStream: false)), ["x-h"])
        XCTAssertNil(failure(decoder.receiveData(framed([[1], [], [2, 3]]))))
        XCTAssertEqual(drain(&decoder), [[1], [], [2, 3]])
        let end = finished(decoder.receiveHeaders(["grpc-status": "0", "x-t": "2"], endStream: true))
        XCTAssertEqual(end?.0, GRPCStatus(code: .ok))
        XCTAssertEqual(end?.1, ["x-t"])
        XCTAssertTrue(decoder.isDone)
    }

    func testMessagesSplitByteByByte() {
        var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        var received: [[UInt8]] = []
        for byte in framed([[1, 2, 3], [4]]).readableBytesView {
            _ = decoder.receiveData(ByteBuffer(bytes: [byte]))
            received += drain(&decoder)
        }
        XCTAssertEqual(received, [[1, 2, 3], [4]])
    }

    func testLargeMessageAcrossFrames() {
        var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 1 << 20)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        var whole = framed([payload, [9]])
        var received: [[UInt8]] = []
        while whole.readableBytes > 0 {
            _ = decoder.receiveData(whole.readSlice(length: min(16384, whole.readableBytes))!)
            received += drain(&decoder)
        }
        XCTAssertEqual(received, [payload, [9]])
    }

    func testEachMessageIsLimitedOnItsOwn() {
        var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 3)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        _ = decoder.receiveData(framed([[1, 2, 3], [4, 5, 6], [7, 8, 9, 10]]))
        XCTAssertEqual(decoder.nextMessage(), .message(ByteBuffer(bytes: [1, 2, 3])))
        XCTAssertEqual(decoder.nextMessage(), .message(ByteBuffer(bytes: [4, 5, 6])))
        guard case .failAndReset(let status) = decoder.nextMessage() else { return XCTFail("expected the limit") }
        XCTAssertEqual(status.code, .resourceExhausted)
        XCTAssertTrue(decoder.isDone)
        XCTAssertEqual(decoder.nextMessage(), .none)
    }

    func testCompressedOrInvalidFlagsFail() {
        for flag: UInt8 in [1, 2] {
            var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
            _ = decoder.receiveHeaders(okHeaders, endStream: false)
            _ = decoder.receiveData(framed([[1]], flag: flag))
            guard case .failAndReset(let status) = decoder.nextMessage() else { return XCTFail("flag \(flag) accepted") }
            XCTAssertEqual(status.code, .internal)
        }
    }

    func testTrailersOnly() {
        var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        let end = finished(decoder.receiveHeaders(
            [":status": "200", "content-type": "application/grpc", "grpc-status": "5", "grpc-message": "no%20shelf", "x-r": "1"],
            endStream: true
        ))
        XCTAssertEqual(end?.0, GRPCStatus(code: .notFound, message: "no shelf"))
        XCTAssertEqual(end?.1, ["x-r"])
    }

    func testNon200Status() {
        var ended = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        XCTAssertEqual(finished(ended.receiveHeaders([":status": "503", "grpc-status": "0"], endStream: true))?.0.code, .unavailable)
        var open = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        XCTAssertEqual(failure(open.receiveHeaders([":status": "404", "content-type": "text/html"], endStream: false))?.code, .unimplemented)
        var missing = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        XCTAssertEqual(failure(missing.receiveHeaders(["content-type": "application/grpc"], endStream: false))?.code, .internal)
    }

    func testNotGRPCContentType() {
        var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        XCTAssertEqual(failure(decoder.receiveHeaders([":status": "200", "content-type": "text/plain"], endStream: false))?.code, .unknown)
    }

    func testMissingGRPCStatus() {
        var trailers = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        _ = trailers.receiveHeaders(okHeaders, endStream: false)
        XCTAssertEqual(finished(trailers.receiveHeaders(["x-t": "1"], endStream: true))?.0.code, .unknown)

        var dataEnd = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        _ = dataEnd.receiveHeaders(okHeaders, endStream: false)
        _ = dataEnd.receiveData(framed([[1]]))
        XCTAssertEqual(drain(&dataEnd), [[1]])
        XCTAssertEqual(finished(dataEnd.receiveEndOfStream())?.0.code, .unknown)
    }

    func testStreamEndingInsideAMessage() {
        var decoder = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        var partial = framed([[1, 2, 3]])
        partial.moveWriterIndex(to: partial.writerIndex - 1)
        _ = decoder.receiveData(partial)
        XCTAssertEqual(drain(&decoder), [])
        XCTAssertEqual(finished(decoder.receiveHeaders(["grpc-status": "0"], endStream: true))?.0.code, .internal)
    }

    func testDataBeforeHeadersAndSecondHeaders() {
        var early = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        XCTAssertEqual(failure(early.receiveData(framed([[1]])))?.code, .internal)
        var twice = UpstreamStreamingResponseDecoder(maxMessageBytes: 100)
        _ = twice.receiveHeaders(okHeaders, endStream: false)
        XCTAssertEqual(failure(twice.receiveHeaders(okHeaders, endStream: false))?.code, .internal)
    }

    func testStatusDetailsAreDecoded() {
        let status = GRPCResponseHead.status(fromTrailers: ["grpc-status": "3", "grpc-status-details-bin": "CAM"])
        XCTAssertEqual(status, GRPCStatus(code: .invalidArgument, details: [0x08, 0x03]))
    }
}
