import NIOCore
import NIOHPACK
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

final class GRPCResponseDecoderTests: XCTestCase {
    private let okHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc+proto", "x-h": "1"]

    private func framed(_ bytes: [UInt8], flag: UInt8 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(flag)
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }

    private func finished(_ action: GRPCResponseDecoder.Action, file: StaticString = #filePath, line: UInt = #line) -> UpstreamResponse? {
        guard case .finished(let box) = action else {
            XCTFail("expected finished, got \(action)", file: file, line: line)
            return nil
        }
        return box.response
    }

    func testOneMessageByteByByte() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 100)
        XCTAssertEqual(decoder.receiveHeaders(okHeaders, endStream: false), .none)
        for byte in framed([1, 2, 3]).readableBytesView {
            XCTAssertEqual(decoder.receiveData(ByteBuffer(bytes: [byte]), endStream: false), .none)
        }
        let response = finished(decoder.receiveHeaders(["grpc-status": "0", "x-t": "2"], endStream: true))
        XCTAssertEqual(response?.status, GRPCStatus(code: .ok))
        XCTAssertEqual(response?.message.map { Array($0.readableBytesView) }, [1, 2, 3])
        XCTAssertEqual(response?.headers.map { $0.name }, ["x-h"])
        XCTAssertEqual(response?.trailers.map { $0.name }, ["x-t"])
        XCTAssertTrue(decoder.isDone)
    }

    func testEmptyMessageIsAMessage() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 100)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        XCTAssertEqual(decoder.receiveData(framed([]), endStream: false), .none)
        let response = finished(decoder.receiveHeaders(["grpc-status": "0"], endStream: true))
        XCTAssertEqual(response?.status.code, .ok)
        XCTAssertEqual(response?.message?.readableBytes, 0)
    }

    func testSecondMessageFailsAtOnce() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 100)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        XCTAssertEqual(decoder.receiveData(framed([1]), endStream: false), .none)
        guard case .failAndReset(let status) = decoder.receiveData(framed([2]), endStream: false) else { return XCTFail() }
        XCTAssertEqual(status.code, .internal)
    }

    func testSizeLimitChecksTheDeclaredLength() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        var header = ByteBuffer()
        header.writeInteger(UInt8(0))
        header.writeInteger(UInt32(11))
        guard case .failAndReset(let status) = decoder.receiveData(header, endStream: false) else { return XCTFail() }
        XCTAssertEqual(status.code, .resourceExhausted)
    }

    func testMessageExactlyAtLimitIsAccepted() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 3)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        XCTAssertEqual(decoder.receiveData(framed([1, 2, 3]), endStream: false), .none)
        XCTAssertEqual(finished(decoder.receiveHeaders(["grpc-status": "0"], endStream: true))?.status.code, .ok)
    }

    func testInvalidFlags() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        guard case .failAndReset(let status) = decoder.receiveData(framed([1], flag: 2), endStream: false) else { return XCTFail() }
        XCTAssertEqual(status.code, .internal)
    }

    func testTruncatedMessageAtTrailers() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        var partial = framed([1, 2, 3])
        partial.moveWriterIndex(to: 6)
        _ = decoder.receiveData(partial, endStream: false)
        XCTAssertEqual(finished(decoder.receiveHeaders(["grpc-status": "0"], endStream: true))?.status.code, .internal)
    }

    func testErrorStatusKeepsNoMessage() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        let response = finished(decoder.receiveHeaders(["grpc-status": "7", "grpc-message": "nope%21"], endStream: true))
        XCTAssertEqual(response?.status, GRPCStatus(code: .permissionDenied, message: "nope!"))
        XCTAssertNil(response?.message)
    }

    func testTrailersOnly() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        let headers: HPACKHeaders = [":status": "200", "content-type": "application/grpc", "grpc-status": "5", "grpc-status-details-bin": "AQI", "x-m": "v"]
        let response = finished(decoder.receiveHeaders(headers, endStream: true))
        XCTAssertEqual(response?.status, GRPCStatus(code: .notFound, message: "", details: [1, 2]))
        XCTAssertEqual(response?.trailers.map { $0.name }, ["x-m"])
        XCTAssertEqual(response?.headers.count, 0)
    }

    func testNon200WinsOverGRPCStatus() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        let response = finished(decoder.receiveHeaders([":status": "401", "grpc-status": "0"], endStream: true))
        XCTAssertEqual(response?.status.code, .unauthenticated)
    }

    func testNon200WithBodyFailsAndResets() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        guard case .failAndReset(let status) = decoder.receiveHeaders([":status": "404", "content-type": "text/html"], endStream: false) else {
            return XCTFail()
        }
        XCTAssertEqual(status.code, .unimplemented)
    }

    func testWrongContentType() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        guard case .failAndReset(let status) = decoder.receiveHeaders([":status": "200", "content-type": "text/plain"], endStream: false) else {
            return XCTFail()
        }
        XCTAssertEqual(status.code, .unknown)
    }

    func testDataEndingTheStreamLacksStatus() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        XCTAssertEqual(finished(decoder.receiveData(framed([1]), endStream: true))?.status.code, .unknown)
    }

    func testMissingGRPCStatusInTrailers() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        _ = decoder.receiveHeaders(okHeaders, endStream: false)
        _ = decoder.receiveData(framed([1]), endStream: false)
        XCTAssertEqual(finished(decoder.receiveHeaders(["x": "y"], endStream: true))?.status.code, .unknown)
    }

    func testMissingStatusPseudoHeader() {
        var decoder = GRPCResponseDecoder(maxResponseBytes: 10)
        guard case .failAndReset(let status) = decoder.receiveHeaders(["content-type": "application/grpc"], endStream: false) else {
            return XCTFail()
        }
        XCTAssertEqual(status.code, .internal)
    }
}
