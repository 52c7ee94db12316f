import DescriptorLoader
import XCTest

@testable import Transcoder

/// Body + path + query → one request message, read back through WireToJSON.
final class RequestBinderTests: XCTestCase {
    static let schema: Schema = try! RouteFixtures.compile("routing/library.proto")
    static let table = try! RouteTable(schema: schema)
    static let binder = RequestBinder(jsonToWire: JSONToWire(schema: schema))
    static let printer = WireToJSON(schema: schema)

    func bind(_ method: String, _ target: String, body: String = "") throws -> String {
        let (path, query) = target.split(separator: "?", maxSplits: 1).map(String.init).splitPair()
        guard case .matched(let route, let bindings) = Self.table.match(method: method, path: path, query: query) else {
            XCTFail("no match for \(method) \(target)")
            return ""
        }
        var wire: [UInt8] = []
        try Array(body.utf8).withUnsafeBytes { bytes in
            try Self.binder.bind(route: route, bindings: bindings, body: bytes, options: .defaults, into: &wire)
        }
        let json = try Self.printer.convert(wire, messageType: route.method.inputType)
        return String(decoding: json, as: UTF8.self)
    }

    func testPathAndBodyFieldMerge() throws {
        let json = try bind("POST", "/v1/shelves/s1/books?bookId=b7", body: #"{"name":"x","title":"Dune","tags":["a"]}"#)
        XCTAssertEqual(json, #"{"parent":"shelves/s1","book":{"name":"x","title":"Dune","tags":["a"]},"bookId":"b7"}"#)
    }

    func testPathVariableInsideBodyFieldWinsOverBody() throws {
        let json = try bind("PATCH", "/v1/shelves/s1/books/b2", body: #"{"name":"ignored","title":"T"}"#)
        XCTAssertEqual(json, #"{"book":{"name":"shelves/s1/books/b2","title":"T"}}"#)
    }

    func testWholeBodyAndVerb() throws {
        let json = try bind("POST", "/v1/operations/a/b:cancel", body: #"{}"#)
        XCTAssertEqual(json, #"{"name":"operations/a/b"}"#)
    }

    func testQueryTypesAreCheckedWithTheirPath() throws {
        XCTAssertThrowsError(try bind("GET", "/v1/books?pageSize=abc")) { error in
            let e = error as? TranscodeError
            XCTAssertEqual(e?.path, "pageSize")
            XCTAssertEqual(e?.kind, .invalidValue)
        }
        XCTAssertEqual(
            try bind("GET", "/v1/books?page_size=5&since=2024-05-02T14:03:27.250Z"),
            #"{"pageSize":5,"since":"2024-05-02T14:03:27.250Z"}"#)
    }

    func testBodyErrorsNameTheBodyField() throws {
        XCTAssertThrowsError(try bind("POST", "/v1/shelves/s1/books", body: #"{"tags":[1]}"#)) { error in
            XCTAssertEqual((error as? TranscodeError)?.path, "book.tags[0]")
        }
    }

    func testBodyOnRouteWithoutBodyIsRejected() throws {
        XCTAssertThrowsError(try bind("GET", "/v1/books", body: #"{"parent":"x"}"#)) { error in
            XCTAssertEqual((error as? TranscodeError)?.kind, .badBinding)
        }
        // White space only counts as no body.
        XCTAssertEqual(try bind("GET", "/v1/books", body: " \n"), "{}")
    }

    func testOutputUntouchedOnError() throws {
        guard case .matched(let route, let bindings) = Self.table.match(method: "GET", path: "/v1/books", query: "pageSize=x") else {
            return XCTFail("no match")
        }
        var wire: [UInt8] = [1, 2, 3]
        XCTAssertThrowsError(
            try [UInt8]().withUnsafeBytes { try Self.binder.bind(route: route, bindings: bindings, body: $0, options: .defaults, into: &wire) })
        XCTAssertEqual(wire, [1, 2, 3])
    }
}

extension Array where Element == String {
    fileprivate func splitPair() -> (String, String?) { (self[0], count > 1 ? self[1] : nil) }
}
