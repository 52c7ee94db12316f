import NIOCore
import NIOHTTP1
import XCTest

@testable import Edge
@testable import EdgeConfig

/// `SchemaTranscoder.render` prints into the response buffer it sizes from the
/// wire bytes; JSON longer than that room (short wire, long enum names) goes
/// through the printer's own memory and must come out the same.
final class SchemaTranscoderRenderTests: XCTestCase {
    private func transcoder() throws -> (SchemaTranscoder, MatchedRoute<SchemaTranscoder.Matched>) {
        let transcoder = try SchemaTranscoder(schema: try EndToEndFixture.cliSchema(), config: EdgeConfig())
        let route = try transcoder.match(method: .GET, uri: "/v1/shelves/1/books/2").get()
        return (transcoder, route)
    }

    private func render(_ wire: [UInt8]) throws -> String {
        let (transcoder, route) = try transcoder()
        let json = try transcoder.render(ByteBuffer(bytes: wire), for: route).get()
        return String(buffer: json)
    }

    func testJSONLongerThanTwiceTheWireIsComplete() throws {
        // genre = GENRE_SCIENCE_FICTION (field 5, varint 2): 2 wire bytes, 33 JSON bytes.
        XCTAssertEqual(try render([0x28, 0x02]), #"{"genre":"GENRE_SCIENCE_FICTION"}"#)
        // ... and page_count = 5 (field 6).
        XCTAssertEqual(try render([0x28, 0x02, 0x30, 0x05]), #"{"genre":"GENRE_SCIENCE_FICTION","pageCount":5}"#)
    }

    func testEmptyAndShortMessages() throws {
        XCTAssertEqual(try render([]), "{}")
        // title = "x"
        XCTAssertEqual(try render([0x1A, 0x01, 0x78]), #"{"title":"x"}"#)
    }

    func testMalformedWireIsAnInternalError() throws {
        let (transcoder, route) = try transcoder()
        guard case .failure(let error) = transcoder.render(ByteBuffer(bytes: [0x1A, 0x05, 0x78]), for: route) else {
            return XCTFail("truncated string rendered")
        }
        XCTAssertEqual(error.code, .internal)
    }
}
