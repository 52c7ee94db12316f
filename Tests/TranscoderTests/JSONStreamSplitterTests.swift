import XCTest

@testable import Transcoder

final class JSONStreamSplitterTests: XCTestCase {
    /// Feeds `chunks` and finishes; the values as strings, or the failure.
    private func split(_ chunks: [String], framing: JSONStreamSplitter.Framing, maxElementBytes: Int = 1 << 20) -> Result<[String], JSONStreamSplitter.Failure> {
        var splitter = JSONStreamSplitter(framing: framing, maxElementBytes: maxElementBytes)
        var values: [String] = []
        let collect: (UnsafeRawBufferPointer) -> Void = { values.append(String(decoding: $0, as: UTF8.self)) }
        do {
            for chunk in chunks {
                try Array(chunk.utf8).withUnsafeBytes { try splitter.feed($0, emit: collect) }
            }
            try splitter.finish(emit: collect)
        } catch let failure as JSONStreamSplitter.Failure {
            return .failure(failure)
        } catch {
            XCTFail("unexpected \(error)")
        }
        return .success(values)
    }

    /// Every way of cutting `text` into two chunks, and byte by byte, gives `expected`.
    private func assertSplits(_ text: String, framing: JSONStreamSplitter.Framing, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(text.utf8)
        XCTAssertEqual(try split([text], framing: framing).get(), expected, "whole", file: file, line: line)
        for cut in 0...bytes.count {
            let chunks = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            XCTAssertEqual(try split(chunks, framing: framing).get(), expected, "cut at \(cut)", file: file, line: line)
        }
        let single = bytes.map { String(decoding: [$0], as: UTF8.self) }
        XCTAssertEqual(try split(single, framing: framing).get(), expected, "byte by byte", file: file, line: line)
    }

    private func assertFails(
        _ chunks: [String], framing: JSONStreamSplitter.Framing, maxElementBytes: Int = 1 << 20, element: Int, _ reason: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        switch split(chunks, framing: framing, maxElementBytes: maxElementBytes) {
        case .success(let values):
            XCTFail("expected a failure, got \(values)", file: file, line: line)
        case .failure(let failure):
            XCTAssertEqual(failure.element, element, "\(failure)", file: file, line: line)
            XCTAssertTrue(failure.reason.contains(reason), "\(failure.reason) lacks \(reason)", file: file, line: line)
        }
    }

    func testNewlineDelimitedObjects() {
        assertSplits("{\"a\":1}\n{\"b\":[1,{\"c\":2}]}\n", framing: .lines, [#"{"a":1}"#, #"{"b":[1,{"c":2}]}"#])
    }

    func testBlankLinesAndWhiteSpaceAreSkipped() {
        assertSplits("\n\r\n  {\"a\":1}\n\n\t\n{}\r\n\n", framing: .lines, [#"{"a":1}"#, "{}"])
        XCTAssertEqual(try split(["", "  \n"], framing: .lines).get(), [])
    }

    func testStringsWithEscapedQuotesAndBrackets() {
        let first = #"{"text":"a \"quoted\" }] {[ \\"}"#
        let second = #"{"t":"\\\"}"}"#
        assertSplits(first + "\n" + second + "\n", framing: .lines, [first, second])
        assertSplits(#"["}", "\"]", {"k":"]"}]"#, framing: .array, [#""}""#, #""\"]""#, #"{"k":"]"}"#])
    }

    func testArrayOfElements() {
        assertSplits(" [ {\"a\":1} , {\"b\":2},3,true,\"s\",null,[1,[2]] ] \n", framing: .array,
            [#"{"a":1}"#, #"{"b":2}"#, "3", "true", #""s""#, "null", "[1,[2]]"])
        assertSplits("[]", framing: .array, [])
    }

    func testAutomaticFramingPicksArrayOrLines() {
        assertSplits("  [{\"a\":1},{\"a\":2}]", framing: .automatic, [#"{"a":1}"#, #"{"a":2}"#])
        assertSplits("{\"a\":1}", framing: .automatic, [#"{"a":1}"#])
        XCTAssertEqual(try split([""], framing: .automatic).get(), [])
    }

    /// White space alone is no JSON text: refused where the body is JSON, skipped as NDJSON's
    /// blank lines. An empty body has no values in every framing.
    func testWhiteSpaceAloneIsNotAJSONBody() {
        for framing in [JSONStreamSplitter.Framing.automatic, .array] {
            assertFails([" "], framing: framing, element: 0, "only white space, not JSON")
            assertFails(["\r\n", "\t ", ""], framing: framing, element: 0, "only white space, not JSON")
            XCTAssertEqual(try split([], framing: framing).get(), [], "\(framing)")
            XCTAssertEqual(try split(["", ""], framing: framing).get(), [], "\(framing)")
        }
        XCTAssertEqual(try split([" \n\r\n\t"], framing: .lines).get(), [])
        XCTAssertEqual(
            JSONStreamSplitter.Failure(element: 0, reason: "the body is only white space, not JSON (a stream of no messages is `[]`)").description,
            "request stream element 0: the body is only white space, not JSON (a stream of no messages is `[]`)")
    }

    func testBareValuesEndAtDelimitersOrTheEnd() {
        assertSplits("12 true\nnull -1.5e3", framing: .lines, ["12", "true", "null", "-1.5e3"])
    }

    func testTruncatedLastElementNamesItsIndex() {
        assertFails(["{\"a\":1}\n{\"b\":", "[1,2"], framing: .lines, element: 1, "truncated")
        assertFails(["[{\"a\":1},{\"b\":\"x"], framing: .array, element: 1, "truncated")
        assertFails(["[{\"a\":1},"], framing: .array, element: 1, "after ','")
        assertFails(["[{\"a\":1}"], framing: .array, element: 0, "not closed")
        assertFails(["[1, 2"], framing: .array, element: 1, "truncated")
        assertFails(["["], framing: .array, element: 0, "not closed")
    }

    func testStructuralErrors() {
        assertFails(["{\"a\":1}\n}"], framing: .lines, element: 1, "unexpected '}'")
        assertFails(["{\"a\":[1}"], framing: .lines, element: 0, "unbalanced '}', expected ']'")
        assertFails(["{\"a\":1}, {}"], framing: .lines, element: 1, "unexpected ','")
        assertFails(["[{} {}]"], framing: .array, element: 0, "expected ',' or ']'")
        assertFails(["[1,,2]"], framing: .array, element: 1, "unexpected ','")
        assertFails(["[1,]"], framing: .array, element: 1, "after ','")
        assertFails(["[1] x"], framing: .array, element: 1, "after the end of the array")
        assertFails(["{}"], framing: .array, element: 0, "expected a JSON array")
    }

    func testElementsOverTheLimitAreRefused() {
        XCTAssertEqual(try split(["{\"a\":\"12345\"}\n"], framing: .lines, maxElementBytes: 13).get(), [#"{"a":"12345"}"#])
        assertFails(["{\"a\":\"123456\"}\n"], framing: .lines, maxElementBytes: 13, element: 0, "larger than 13 bytes")
        assertFails(["{}\n{\"a\":\"1", "23456\"}"], framing: .lines, maxElementBytes: 13, element: 1, "larger than 13 bytes")
        assertFails(["{}\n{\"a\":\"123456789", "0123"], framing: .lines, maxElementBytes: 13, element: 1, "larger than 13 bytes")
    }

    func testAnElementInOneChunkIsNotCopied() throws {
        var splitter = JSONStreamSplitter(framing: .lines)
        let bytes = Array("{\"a\":1}\n{\"b\":2}\n".utf8)
        var starts: [Int] = []
        try bytes.withUnsafeBytes { chunk in
            let base = Int(bitPattern: chunk.baseAddress)
            try splitter.feed(chunk) { starts.append(Int(bitPattern: $0.baseAddress) - base) }
        }
        XCTAssertEqual(starts, [0, 8])
        XCTAssertEqual(splitter.elementCount, 2)
    }

    func testFailureDescription() {
        XCTAssertEqual(
            JSONStreamSplitter.Failure(element: 3, reason: "truncated").description,
            "request stream element 3: truncated")
    }
}
