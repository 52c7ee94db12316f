import XCTest

@testable import Transcoder

final class PathTemplateTests: XCTestCase {
    func testLiteralsWildcardsAndVerb() throws {
        let t = try PathTemplate(parsing: "/v1/*/x/**:run")
        XCTAssertEqual(t.segments, [.literal("v1"), .wildcard, .literal("x"), .multiWildcard])
        XCTAssertEqual(t.verb, "run")
        XCTAssertEqual(t.variables, [])
        XCTAssertEqual(t.shape, "/v1/*/x/**:run")
        XCTAssertEqual(t.text, "/v1/*/x/**:run")
    }

    func testSimpleVariableIsSingleWildcard() throws {
        let t = try PathTemplate(parsing: "/v1/books/{book_id}")
        XCTAssertEqual(t.segments, [.literal("v1"), .literal("books"), .wildcard])
        XCTAssertEqual(t.variables.count, 1)
        XCTAssertEqual(t.variables[0].fieldPath, ["book_id"])
        XCTAssertEqual(t.variables[0].segments, 2..<3)
        XCTAssertFalse(t.variables[0].isMultiSegment)
        XCTAssertNil(t.verb)
    }

    func testVariableWithSegmentsAndNestedFieldPath() throws {
        let t = try PathTemplate(parsing: "/v1/{book.name=shelves/*/books/*}/pages/{page}")
        XCTAssertEqual(
            t.segments, [.literal("v1"), .literal("shelves"), .wildcard, .literal("books"), .wildcard, .literal("pages"), .wildcard])
        XCTAssertEqual(t.variables[0].fieldPath, ["book", "name"])
        XCTAssertEqual(t.variables[0].fieldPathText, "book.name")
        XCTAssertEqual(t.variables[0].segments, 1..<5)
        XCTAssertTrue(t.variables[0].isMultiSegment)
        XCTAssertEqual(t.variables[1].segments, 6..<7)
        XCTAssertEqual(t.shape, "/v1/shelves/*/books/*/pages/*")
    }

    func testMultiWildcardVariable() throws {
        let t = try PathTemplate(parsing: "/files/{path=**}:download")
        XCTAssertEqual(t.variables[0].segments, 1..<2)
        XCTAssertTrue(t.variables[0].endsWithMultiWildcard)
        XCTAssertTrue(t.variables[0].isMultiSegment)
        XCTAssertEqual(t.verb, "download")
        let u = try PathTemplate(parsing: "/{name=projects/*/**}")
        XCTAssertEqual(u.segments, [.literal("projects"), .wildcard, .multiWildcard])
        XCTAssertTrue(u.variables[0].endsWithMultiWildcard)
    }

    func testRootAndLiteralCharacters() throws {
        XCTAssertEqual(try PathTemplate(parsing: "/").segments, [])
        XCTAssertEqual(try PathTemplate(parsing: "/").shape, "/")
        let t = try PathTemplate(parsing: "/pkg.Service/Method")
        XCTAssertEqual(t.segments, [.literal("pkg.Service"), .literal("Method")])
        let u = try PathTemplate(parsing: "/a-b_c~d/%20x/e=f;g,h@i!$&'()+")
        XCTAssertEqual(u.segments.count, 3)
        XCTAssertEqual(try PathTemplate(parsing: "/{x=a=b}").segments, [.literal("a=b")])
    }

    func testErrorsCarryPositionAndReason() {
        func fails(_ text: String, at position: Int, _ fragment: String, line: UInt = #line) {
            do {
                let t = try PathTemplate(parsing: text)
                XCTFail("parsed \(t.segments)", line: line)
            } catch let error as PathTemplateError {
                XCTAssertEqual(error.position, position, "\(error)", line: line)
                XCTAssertTrue(error.reason.contains(fragment), "\(error)", line: line)
                XCTAssertTrue(text.isEmpty || error.description.contains(text), line: line)
            } catch {
                XCTFail("\(error)", line: line)
            }
        }
        fails("", at: 0, "empty")
        fails("v1/x", at: 0, "must start with '/'")
        fails("/v1//x", at: 4, "empty segment")
        fails("/v1/", at: 4, "empty segment")
        fails("/v1/x:", at: 6, "verb")
        fails("/v1/x:a:b", at: 7, "end of template")
        fails("/v1/x:a/b", at: 7, "end of template")
        fails("/**/x", at: 1, "'**' must be the last segment")
        fails("/{a=**}/x", at: 4, "'**' must be the last segment")
        fails("/a*", at: 2, "whole segment")
        fails("/***", at: 3, "whole segment")
        fails("/{a={b}}", at: 4, "nested variables")
        fails("/{a", at: 3, "'}' closing the variable 'a'")
        fails("/{a=x", at: 5, "'}' closing")
        fails("/{}", at: 2, "field name")
        fails("/{1a}", at: 2, "field name")
        fails("/{a.}", at: 4, "field name")
        fails("/{a=}", at: 4, "empty segment")
        fails("/a b", at: 2, "invalid character ' '")
        fails("/a?b", at: 2, "invalid character '?'")
        fails("/a%2", at: 2, "two hex digits")
        fails("/a%zz", at: 2, "two hex digits")
        fails("/{a}/{a}", at: 0, "field 'a' is bound by more than one variable")
        fails("/x}", at: 2, "end of template")
    }
}
