import DescriptorLoader
import Edge
import Foundation
import XCTest
import EdgeConfig

/// Every google.api.http rule shape of the demo bookstore, and the rejections of bad
/// input, through the real edge and the real gRPC service over TCP.
final class EndToEndRoutingTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: EndToEndFixture?

    override class func setUp() {
        super.setUp()
        fixture = EndToEndFixture.startForClass()
    }

    override class func tearDown() {
        if let fixture { _ = try? EndToEndFixture.blocking { await fixture.shutdown() } }
        fixture = nil
        super.tearDown()
    }

    private func send(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil,
        contentType: String = "application/json"
    ) throws -> EndToEndResponse {
        let fixture = try XCTUnwrap(Self.fixture, EndToEndFixture.startFailure)
        return try EndToEndClient.send(port: fixture.port, method, target, headers: headers, body: body, contentType: contentType)
    }

    /// Creates a fresh shelf (so tests that write do not depend on each other) and returns its id.
    private func makeShelf(_ theme: String) throws -> String {
        let response = try send("POST", "/v1/shelves", body: #"{"theme":"\#(theme)"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        return try XCTUnwrap(response.json()["id"] as? String, response.body)
    }

    private func makeBook(shelf: String, _ json: String) throws -> [String: Any] {
        let response = try send("POST", "/v1/shelves/\(shelf)/books", body: json)
        XCTAssertEqual(response.status, 200, response.body)
        return try response.json()
    }

    // MARK: HTTP rule shapes

    /// The demo schema as `edge serve` loads it compiles into a route table (its
    /// GetBook bindings once claimed the same paths twice, which the table refuses).
    func testUnmodifiedDemoSchemaIsServable() throws {
        let schema = try EndToEndFixture.cliSchema()
        XCTAssertNoThrow(try SchemaTranscoder(schema: schema, config: EdgeConfig()))
    }

    func testGetWithPathVariablesPrintsEveryFieldShape() throws {
        let response = try send("GET", "/v1/shelves/1/books/1")
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(response.header("content-type")?.hasPrefix("application/json"), true)
        let book = try response.json()
        XCTAssertEqual(book["name"] as? String, "shelves/1/books/1")
        XCTAssertEqual(book["title"] as? String, "Dune")
        XCTAssertEqual(book["id"] as? String, "1", "int64 prints as a string")
        XCTAssertEqual(book["isbn"] as? String, "9780441013593")
        XCTAssertEqual(book["genre"] as? String, "GENRE_SCIENCE_FICTION")
        XCTAssertEqual(book["pageCount"] as? Int, 412, "lowerCamel JSON names")
        XCTAssertEqual(book["publishTime"] as? String, "1965-08-01T00:00:00Z")
        XCTAssertEqual(book["inventory"] as? [String: String], ["SEA": "3", "NYC": "12"])
        XCTAssertEqual(book["tags"] as? [String], ["classic", "desert"])
        let paperback = try XCTUnwrap(book["paperback"] as? [String: Any])
        XCTAssertEqual(paperback["weightGrams"] as? Int, 350)
        XCTAssertNil(book["ebook"])
        XCTAssertNil(book["subtitle"], "unset proto3 optional is omitted")

        let shelf = try send("GET", "/v1/shelves/2").json()
        XCTAssertEqual(shelf["theme"] as? String, "Science")
        XCTAssertEqual(shelf["labels"] as? [String: String], ["floor": "2", "section": "popular"])
    }

    func testMultiSegmentBindingOfTheAdditionalRule() throws {
        // The additional binding `/v2/{name=shelves/*/books/*}` binds the whole
        // resource name; the primary `/v1/shelves/{shelf}/books/{book}` the ids.
        let response = try send("GET", "/v2/shelves/1/books/3")
        XCTAssertEqual(response.status, 200, response.body)
        let book = try response.json()
        XCTAssertEqual(book["title"] as? String, "Middlemarch")
        XCTAssertEqual(book["subtitle"] as? String, "A Study of Provincial Life")
        // Only the multi-segment binding accepts a non-integer shelf segment: the whole
        // path becomes `name`, and the backend (not the edge) rejects it by field.
        let byName = try send("GET", "/v2/shelves/x/books/3")
        XCTAssertEqual(byName.status, 400, byName.body)
        XCTAssertTrue((try byName.json()["message"] as? String)?.contains("name") == true, byName.body)
        // A path the template does not match is a 404, not a backend call.
        let wrongCollection = try send("GET", "/v2/shelves/1/pages/3")
        XCTAssertEqual(wrongCollection.status, 404, wrongCollection.body)
    }

    func testListWithScalarRepeatedEnumNestedAndTimestampQueryParameters() throws {
        let query = "pageSize=1&genres=GENRE_SCIENCE_FICTION&genres=1&tags=classic"
            + "&query.minPages=300&query.publishedAfter=1900-01-01T00:00:00Z"
        let first = try send("GET", "/v1/shelves/1/books?" + query)
        XCTAssertEqual(first.status, 200, first.body)
        let page = try first.json()
        XCTAssertEqual(page["totalSize"] as? Int, 2, "Middlemarch (1871) is before publishedAfter: \(first.body)")
        XCTAssertEqual(page["nextPageToken"] as? String, "1")
        let books = try XCTUnwrap(page["books"] as? [[String: Any]])
        XCTAssertEqual(books.map { $0["title"] as? String }, ["Dune"])

        let second = try send("GET", "/v1/shelves/1/books?" + query + "&pageToken=1").json()
        XCTAssertEqual((second["books"] as? [[String: Any]])?.map { $0["title"] as? String }, ["The Left Hand of Darkness"])
        XCTAssertNil(second["nextPageToken"])

        // Enum by number, a scalar filter and a nested string.
        let filtered = try send("GET", "/v1/shelves/1/books?genres=1&filter=MIDDLE&query.author=eliot").json()
        XCTAssertEqual((filtered["books"] as? [[String: Any]])?.map { $0["title"] as? String }, ["Middlemarch"])
        XCTAssertEqual(filtered["totalSize"] as? Int, 1)
    }

    func testPostWithBodyFieldAndBodyStar() throws {
        // body: "*" — the whole JSON object is the request.
        let created = try send("POST", "/v1/shelves", body: #"{"theme":"Poetry","labels":{"floor":"3"}}"#)
        XCTAssertEqual(created.status, 200, created.body)
        let shelf = try created.json()
        XCTAssertEqual(shelf["theme"] as? String, "Poetry")
        XCTAssertEqual(shelf["labels"] as? [String: String], ["floor": "3"])
        let id = try XCTUnwrap(shelf["id"] as? String)
        XCTAssertEqual(shelf["name"] as? String, "shelves/\(id)")

        // body: "book" — the JSON is the `book` field, `shelf` comes from the path.
        let book = try makeBook(
            shelf: id,
            #"{"title":"Leaves of Grass","author":"Walt Whitman","genre":"GENRE_POETRY","pageCount":145,"#
                + #""isbn":"9780486456768","price":4.5,"ebook":{"sizeBytes":"2048","fileFormat":"pdf"}}"#)
        let bookID = try XCTUnwrap(book["id"] as? String, "int64 id as a string")
        XCTAssertEqual(book["name"] as? String, "shelves/\(id)/books/\(bookID)")
        XCTAssertEqual(book["genre"] as? String, "GENRE_POETRY")
        XCTAssertEqual(book["isbn"] as? String, "9780486456768")
        XCTAssertEqual(book["price"] as? Double, 4.5)
        XCTAssertEqual((book["ebook"] as? [String: Any])?["sizeBytes"] as? String, "2048")
        let fetched = try send("GET", "/v1/shelves/\(id)/books/\(bookID)").json()
        XCTAssertEqual(fetched["title"] as? String, "Leaves of Grass")
    }

    func testPatchWithFieldMaskUpdatesOnlyMaskedFields() throws {
        let shelf = try makeShelf("Patch")
        let created = try makeBook(shelf: shelf, #"{"title":"Draft","author":"Someone","pageCount":10,"price":1}"#)
        let name = try XCTUnwrap(created["name"] as? String)
        let response = try send(
            "PATCH", "/v1/\(name)?updateMask=title,pageCount",
            body: #"{"title":"Final","pageCount":99,"author":"Ignored","price":7}"#)
        XCTAssertEqual(response.status, 200, response.body)
        let book = try response.json()
        XCTAssertEqual(book["name"] as? String, name, "book.name from the path")
        XCTAssertEqual(book["title"] as? String, "Final")
        XCTAssertEqual(book["pageCount"] as? Int, 99)
        XCTAssertEqual(book["author"] as? String, "Someone", "not in the mask")
        XCTAssertEqual(book["price"] as? Double, 1)
    }

    func testDeleteReturnsEmptyObject() throws {
        let shelf = try makeShelf("Delete")
        let created = try makeBook(shelf: shelf, #"{"title":"Gone","author":"A"}"#)
        let name = try XCTUnwrap(created["name"] as? String)
        let deleted = try send("DELETE", "/v1/\(name)")
        XCTAssertEqual(deleted.status, 200, deleted.body)
        XCTAssertEqual(deleted.body, "{}")
        XCTAssertEqual(try send("GET", "/v1/\(name)").status, 404)
        // A query parameter on a DELETE: `force`.
        XCTAssertEqual(try send("DELETE", "/v1/shelves/\(shelf)?force=true").body, "{}")
        XCTAssertEqual(try send("GET", "/v1/shelves/\(shelf)").status, 404)
    }

    func testCustomVerbAfterMultiSegmentVariable() throws {
        let shelf = try makeShelf("Publish")
        let draft = try makeBook(shelf: shelf, #"{"title":"Unpublished","author":"B","state":"STATE_DRAFT"}"#)
        XCTAssertEqual(draft["state"] as? String, "STATE_DRAFT")
        let name = try XCTUnwrap(draft["name"] as? String)
        let published = try send(
            "POST", "/v1/\(name):publish", body: #"{"publishTime":"2025-02-03T04:05:06.500Z"}"#)
        XCTAssertEqual(published.status, 200, published.body)
        let book = try published.json()
        XCTAssertEqual(book["state"] as? String, "STATE_PUBLISHED")
        XCTAssertEqual(book["publishTime"] as? String, "2025-02-03T04:05:06.500Z")
        let again = try send("POST", "/v1/\(name):publish", body: "{}")
        XCTAssertEqual(again.status, 400, "FAILED_PRECONDITION: \(again.body)")
        XCTAssertEqual(try again.json()["code"] as? Int, 9)
    }

    func testResponseBodyIsOnlyTheNamedField() throws {
        let response = try send("GET", "/v1/books:lookup?isbn=9780441013593")
        XCTAssertEqual(response.status, 200, response.body)
        let body = try response.json()
        XCTAssertEqual(body["title"] as? String, "Dune", "the body is the `book` field: \(response.body)")
        XCTAssertNil(body["shelfName"])
        XCTAssertNil(body["book"])
    }

    func testCustomHEADMethod() throws {
        let found = try send("HEAD", "/v1/shelves/1/books/1")
        XCTAssertEqual(found.status, 200)
        XCTAssertEqual(found.body, "")
        let missing = try send("HEAD", "/v1/shelves/1/books/999")
        XCTAssertEqual(missing.status, 404)
    }

    func testDefaultGRPCRoute() throws {
        let response = try send("POST", "/demo.bookstore.v1.Bookstore/GetBook", body: #"{"shelf":"2","book":"5"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(try response.json()["title"] as? String, "The Selfish Gene")
        let byName = try send("POST", "/demo.bookstore.v1.Bookstore/GetBook", body: #"{"name":"shelves/1/books/2"}"#)
        XCTAssertEqual(try byName.json()["title"] as? String, "The Left Hand of Darkness")
    }

    // MARK: Bad input

    func testUnknownQueryParameterIsNamed() throws {
        let response = try send("GET", "/v1/shelves/1/books?pageSize=1&colour=red")
        XCTAssertEqual(response.status, 400, response.body)
        let status = try response.json()
        XCTAssertEqual(status["code"] as? Int, 3)
        XCTAssertTrue((status["message"] as? String)?.contains("colour") == true, response.body)
    }

    func testWrongJSONTypeNamesTheFieldPath() throws {
        let response = try send("POST", "/v1/shelves/1/books", body: #"{"title":"T","author":"A","paperback":{"weightGrams":"heavy"}}"#)
        XCTAssertEqual(response.status, 400, response.body)
        let status = try response.json()
        XCTAssertEqual(status["code"] as? Int, 3)
        let message = try XCTUnwrap(status["message"] as? String)
        XCTAssertTrue(message.contains("paperback") && message.contains("weight"), message)
    }

    func testMalformedJSON() throws {
        let response = try send("POST", "/v1/shelves", body: #"{"theme": "x""#)
        XCTAssertEqual(response.status, 400, response.body)
        XCTAssertEqual(try response.json()["code"] as? Int, 3)
    }

    func testNonJSONContentTypeIs415() throws {
        let response = try send("POST", "/v1/shelves", body: "theme=x", contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(response.status, 415, response.body)
        XCTAssertNotNil(try response.json()["message"] as? String)
    }

    func testNotFoundAndMethodNotAllowedWithStatusBodies() throws {
        let missing = try send("GET", "/v2/nothing")
        XCTAssertEqual(missing.status, 404)
        let notFound = try missing.json()
        XCTAssertEqual(notFound["code"] as? Int, 5)
        XCTAssertNotNil(notFound["message"] as? String)
        XCTAssertEqual((notFound["details"] as? [Any])?.count, 0)

        let wrongMethod = try send("PUT", "/v1/shelves")
        XCTAssertEqual(wrongMethod.status, 405, wrongMethod.body)
        let allow = try XCTUnwrap(wrongMethod.header("allow"), "405 without Allow")
        let verbs = Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        XCTAssertEqual(verbs, ["GET", "POST"])
        XCTAssertNotNil(try wrongMethod.json()["code"] as? Int)
    }

    func testCreateBookValidationDetailsWithTypeURLs() throws {
        let response = try send("POST", "/v1/shelves/1/books", body: #"{"author":"","pageCount":-1,"tags":["ok",""]}"#)
        XCTAssertEqual(response.status, 400, response.body)
        let status = try response.json()
        XCTAssertEqual(status["code"] as? Int, 3)
        XCTAssertTrue((status["message"] as? String)?.contains("book.title") == true, response.body)
        let details = try XCTUnwrap(status["details"] as? [[String: Any]], response.body)
        let badRequest = try XCTUnwrap(details.first { $0["@type"] as? String == "type.googleapis.com/google.rpc.BadRequest" }, response.body)
        let violations = try XCTUnwrap(badRequest["fieldViolations"] as? [[String: Any]])
        XCTAssertEqual(violations.map { $0["field"] as? String }, ["book.title", "book.author", "book.page_count", "book.tags[1]"])
        XCTAssertEqual(violations.first?["description"] as? String, "must not be empty")
        let info = try XCTUnwrap(details.first { $0["@type"] as? String == "type.googleapis.com/google.rpc.ErrorInfo" }, response.body)
        XCTAssertEqual(info["reason"] as? String, "INVALID_BOOK")
        XCTAssertEqual(info["domain"] as? String, "bookstore.demo.edge")
    }
}
