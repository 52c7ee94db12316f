import DescriptorLoader
import Edge
import Foundation
import XCTest
import EdgeConfig

/// `edge match` shows what the server would do: the request message as it would
/// be sent (JSON read back from the wire bytes), or the error response with the
/// `google.rpc.Status` message naming the field.
final class MatchCommandTests: XCTestCase {
    static let library = "Tests/Fixtures/protos/routing/library.proto"

    func testABadQueryValueIsThe400TheServerAnswers() throws {
        let (status, output) = try EdgeBinary.run(["match", Self.library, "GET /v1/shelves/1/books?page_size=abc"])
        XCTAssertEqual(status, 2, output)
        XCTAssertTrue(output.hasPrefix("400\n"), output)
        XCTAssertTrue(output.contains(#""code": 3"#), output)
        XCTAssertTrue(output.contains(#""message": "pageSize: expected int32, got \"abc\"""#), output)
    }

    func testAMatchPrintsTheRequestReadBackFromItsWireBytes() throws {
        let (status, output) = try EdgeBinary.run([
            "match", Self.library, "GET /v1/shelves/1/books?page_size=10&page_token=&since=2024-01-01T00:00:00.000Z",
        ])
        XCTAssertEqual(status, 0, output)
        // Quoted "10" in the bindings is the number 10 on the wire; the empty token and
        // the zero fraction do not survive the trip.
        XCTAssertEqual(
            output,
            """
            GET /v1/{parent=shelves/*}/books -> /routing.Library/ListBooks
            body: -  response body: -
            {
              "parent": "shelves/1",
              "pageSize": 10,
              "since": "2024-01-01T00:00:00Z"
            }

            """)
    }

    func testTheBodyGoesThroughTheSameConversion() throws {
        let good = try EdgeBinary.run(["match", Self.library, "POST /v1/shelves/7/books", "--data", #"{"title": "t"}"#])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.output.contains(#""book": {"#) && good.output.contains(#""title": "t""#), good.output)
        let bad = try EdgeBinary.run(["match", Self.library, "POST /v1/shelves/7/books", "--data", #"{"title": 5}"#])
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.output.contains(#""message": "book.title: expected string, got 5""#), bad.output)
    }

    func testNotFoundAndMethodNotAllowedCarryTheirStatusBodies() throws {
        let missing = try EdgeBinary.run(["match", Self.library, "GET /nope"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.output.hasPrefix("404\n") && missing.output.contains(#""code": 5"#), missing.output)
        let wrongMethod = try EdgeBinary.run(["match", Self.library, "PUT /v1/books"])
        XCTAssertEqual(wrongMethod.status, 2)
        XCTAssertTrue(wrongMethod.output.hasPrefix("405 (Allow: GET)\n"), wrongMethod.output)
    }

    /// The same outcome without a process: ``RequestPreview`` on the fixture schema.
    func testRequestPreviewRefusesWhatTheServerRefuses() throws {
        let schema = try SchemaLoader.load(sources: [EdgeBinary.packageRoot.appendingPathComponent(Self.library).path])
        let preview = try RequestPreview(schema: schema, config: EdgeConfig())
        guard case .refused(let error, let json) = preview.outcome(method: "GET", target: "/v1/books?page_size=x", body: nil) else {
            return XCTFail("page_size=x was forwarded")
        }
        XCTAssertEqual(error.httpStatus.code, 400)
        XCTAssertEqual(String(decoding: json, as: UTF8.self), #"{"code":3,"message":"pageSize: expected int32, got \"x\"","details":[]}"#)
        guard case .forwarded(let route, let request) = preview.outcome(method: "GET", target: "/v1/books?pageSize=3", body: nil) else {
            return XCTFail("pageSize=3 was refused")
        }
        XCTAssertEqual(route.method.fullName, "routing.Library.ListBooks")
        XCTAssertEqual(String(decoding: request, as: UTF8.self), #"{"pageSize":3}"#)
    }
}
