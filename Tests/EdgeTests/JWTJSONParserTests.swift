@testable import Edge
import XCTest
@testable import EdgePolicy

/// The bounded JSON parser and strict base64url decoder that read token headers and
/// claims (pure).
final class JWTJSONParserTests: XCTestCase {
    private let limits = JWTJSONParser.Limits(maxDepth: 4, maxMembers: 16)

    private func parse(_ text: String) -> Result<JWTJSONValue, JWTJSONParser.Failure> {
        JWTJSONParser.parse(Array(text.utf8), limits: limits)
    }

    func testValues() throws {
        let value = try parse(#" {"s":"a\"b\\c\u00e9\ud83d\ude00","n":-1.5e3,"i":1700000000,"t":true,"f":false,"z":null,"a":[1,"x"]} "#).get()
        let object = try XCTUnwrap(value.object)
        XCTAssertEqual(object["s"], .string("a\"b\\cé😀"))
        XCTAssertEqual(object["n"]?.double, -1500)
        XCTAssertEqual(object["i"]?.text, "1700000000")
        XCTAssertEqual(object["t"], .bool(true))
        XCTAssertEqual(object["z"], .null)
        XCTAssertEqual(object["a"]?.text, "1,x")
    }

    func testMalformedInputIsASyntaxError() {
        for text in ["", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "1.", "-", "\"\u{01}\"", "\"\\x\"", "\"\\ud800\"", "tru", "{} {}", "{'a':1}", "\"abc"] {
            XCTAssertEqual(parse(text), .failure(.syntax), text)
        }
        XCTAssertEqual(JWTJSONParser.parse([0x22, 0xFF, 0x22], limits: limits), .failure(.syntax), "invalid UTF-8")
    }

    func testLimitsAndDuplicates() {
        XCTAssertEqual(parse("[[[[[1]]]]]"), .failure(.tooDeep))
        XCTAssertNoThrow(try parse("[[[[1]]]]").get(), "four levels are the limit")
        XCTAssertEqual(parse("[" + Array(repeating: "0", count: 17).joined(separator: ",") + "]"), .failure(.tooManyMembers))
        XCTAssertEqual(parse(#"{"a":1,"a":2}"#), .failure(.duplicateMember("a")))
    }

    func testBase64URLIsStrict() {
        XCTAssertEqual(JWTBase64URL.decode("eyJ9"[...]), Array("{\"}".utf8))
        XCTAssertEqual(JWTBase64URL.decode("-_8"[...]), [0xFB, 0xFF])
        XCTAssertEqual(JWTBase64URL.decode(""[...]), [])
        XCTAssertNil(JWTBase64URL.decode("eyJ9="[...]), "padding")
        XCTAssertNil(JWTBase64URL.decode("+/8"[...]), "standard alphabet")
        XCTAssertNil(JWTBase64URL.decode("a"[...]), "impossible length")
        XCTAssertNil(JWTBase64URL.decode("-_9"[...]), "non-zero unused bits")
        XCTAssertNil(JWTBase64URL.decode("ey J9"[...]))
    }
}
