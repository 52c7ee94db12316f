import NIOCore
import XCTest

@testable import Edge

final class StreamingResponseFormatTests: XCTestCase {
    private func frames(_ format: StreamingResponseFormat, messages: [String], failure: String? = nil) -> String {
        var buffer = ByteBuffer()
        for (index, message) in messages.enumerated() {
            format.writeMessage(ByteBuffer(string: message), index: index, into: &buffer)
        }
        if let failure {
            format.writeFailure(ByteBuffer(string: failure), messages: messages.count, into: &buffer)
        } else {
            format.writeEnd(messages: messages.count, into: &buffer)
        }
        return String(buffer: buffer)
    }

    func testNegotiation() {
        XCTAssertEqual(StreamingResponseFormat.negotiate(accept: nil, configured: .ndjson, raw: false), .ndjson)
        XCTAssertEqual(StreamingResponseFormat.negotiate(accept: "application/json", configured: .jsonArray, raw: false), .jsonArray)
        XCTAssertEqual(
            StreamingResponseFormat.negotiate(accept: "application/json, Text/Event-Stream;q=0.9", configured: .jsonArray, raw: false),
            .eventStream)
        XCTAssertEqual(StreamingResponseFormat.negotiate(accept: "text/event-stream", configured: .ndjson, raw: true), .raw)
    }

    func testContentTypes() {
        XCTAssertEqual(StreamingResponseFormat.ndjson.contentType, "application/x-ndjson")
        XCTAssertEqual(StreamingResponseFormat.eventStream.contentType, "text/event-stream")
        XCTAssertEqual(StreamingResponseFormat.jsonArray.contentType, "application/json")
        XCTAssertNil(StreamingResponseFormat.raw.contentType)
    }

    func testNDJSON() {
        XCTAssertEqual(frames(.ndjson, messages: ["{\"a\":1}", "{}"]), "{\"a\":1}\n{}\n")
        XCTAssertEqual(frames(.ndjson, messages: ["{}"], failure: "{\"code\":10}"), "{}\n{\"error\":{\"code\":10}}\n")
        XCTAssertEqual(frames(.ndjson, messages: []), "")
    }

    func testServerSentEvents() {
        XCTAssertEqual(frames(.eventStream, messages: ["{\"a\":1}", "{}"]), "data: {\"a\":1}\n\ndata: {}\n\n")
        XCTAssertEqual(
            frames(.eventStream, messages: ["{}"], failure: "{\"code\":10}"), "data: {}\n\nevent: error\ndata: {\"code\":10}\n\n")
    }

    func testJSONArray() {
        XCTAssertEqual(frames(.jsonArray, messages: ["{\"a\":1}", "{}"]), "[{\"a\":1},{}]")
        XCTAssertEqual(frames(.jsonArray, messages: []), "[]")
        XCTAssertEqual(frames(.jsonArray, messages: ["{}"], failure: "{\"code\":10}"), "[{},{\"error\":{\"code\":10}}]")
        XCTAssertEqual(frames(.jsonArray, messages: [], failure: "{\"code\":10}"), "[{\"error\":{\"code\":10}}]")
    }

    func testRawIsUnframedAndCannotReportFailures() {
        XCTAssertEqual(frames(.raw, messages: ["ab", "c"]), "abc")
        XCTAssertEqual(frames(.raw, messages: ["ab"], failure: "{}"), "ab")
        XCTAssertFalse(StreamingResponseFormat.raw.canReportFailure)
        XCTAssertTrue(StreamingResponseFormat.ndjson.canReportFailure)
    }

    func testNDJSONMediaTypes() {
        XCTAssertTrue(JSONMediaType.isNDJSON("application/x-ndjson"))
        XCTAssertTrue(JSONMediaType.isNDJSON("Application/NDJSON; charset=utf-8"))
        XCTAssertTrue(JSONMediaType.isNDJSON("application/jsonl"))
        XCTAssertFalse(JSONMediaType.isNDJSON("application/json"))
        XCTAssertFalse(JSONMediaType.isNDJSON("text/plain"))
    }
}
