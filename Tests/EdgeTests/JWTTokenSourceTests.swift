@testable import Edge
import NIOHTTP1
import XCTest
@testable import EdgeConfig
@testable import EdgePolicy

/// Where tokens are read from (pure): one token per request, `Bearer` in any case.
final class JWTTokenSourceTests: XCTestCase {
    private func extract(_ headers: [(String, String)], uri: String = "/v1/x", _ sources: [JWTTokenSource] = [.bearer]) -> Result<Substring?, JWTFailure> {
        JWTTokenSource.extract(from: HTTPHeaders(headers), uri: uri, sources: sources)
    }

    private func token(_ result: Result<Substring?, JWTFailure>) -> String? {
        if case .success(let token?) = result { return String(token) }
        return nil
    }

    private func reason(_ result: Result<Substring?, JWTFailure>) -> JWTFailure.Reason? {
        if case .failure(let failure) = result { return failure.reason }
        return nil
    }

    func testBearerSchemeIsCaseInsensitive() {
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            XCTAssertEqual(token(extract([("Authorization", "\(scheme) abc.def.ghi")])), "abc.def.ghi", scheme)
        }
        XCTAssertEqual(token(extract([("authorization", "Bearer   abc.def.ghi  ")])), "abc.def.ghi")
    }

    func testOtherSchemesAndNoHeaderMeanNoToken() {
        XCTAssertEqual(try extract([("Authorization", "Basic dXNlcjpwYXNz")]).get(), .none)
        XCTAssertEqual(try extract([("Authorization", "Bearerabc")]).get(), .none)
        XCTAssertEqual(try extract([]).get(), .none)
    }

    func testAnEmptyBearerTokenIsMalformed() {
        XCTAssertEqual(reason(extract([("Authorization", "Bearer")])), .malformed)
        XCTAssertEqual(reason(extract([("Authorization", "Bearer   ")])), .malformed)
    }

    func testTwoTokensInOneRequestAreRejected() {
        XCTAssertEqual(reason(extract([("Authorization", "Bearer a.b.c"), ("Authorization", "Bearer a.b.c")])), .duplicateToken)
        XCTAssertEqual(reason(extract([("Authorization", "Bearer a.b.c")], uri: "/x?access_token=d.e.f", [.bearer, .query("access_token")])), .duplicateToken)
        XCTAssertEqual(reason(extract([], uri: "/x?t=a&t=b", [.query("t")])), .duplicateToken)
        XCTAssertEqual(reason(extract([("Cookie", "s=a; s=b")], [.cookie("s")])), .duplicateToken)
        XCTAssertEqual(reason(extract([("x-token", "a"), ("Cookie", "s=b")], [.header("x-token"), .cookie("s")])), .duplicateToken)
        // A source that is not configured is not read.
        XCTAssertEqual(token(extract([("Authorization", "Bearer a.b.c")], uri: "/x?access_token=d", [.bearer])), "a.b.c")
    }

    func testHeaderQueryAndCookieSources() {
        XCTAssertEqual(token(extract([("X-Token", "a.b.c")], [.header("x-token")])), "a.b.c")
        XCTAssertEqual(token(extract([("X-Token", "Bearer a.b.c")], [.header("x-token")])), "a.b.c")
        XCTAssertEqual(token(extract([], uri: "/x?a=1&access_token=a.b.c&b=2#frag", [.query("access_token")])), "a.b.c")
        XCTAssertEqual(token(extract([], uri: "/x?xaccess_token=a.b.c", [.query("access_token")])), nil)
        XCTAssertEqual(reason(extract([], uri: "/x?access_token=", [.query("access_token")])), .malformed)
        XCTAssertEqual(token(extract([("Cookie", "theme=dark; session=a.b.c; x=1")], [.cookie("session")])), "a.b.c")
        XCTAssertEqual(token(extract([("Cookie", "session=\"a.b.c\"")], [.cookie("session")])), "a.b.c")
        XCTAssertEqual(token(extract([("Cookie", "mysession=a.b.c")], [.cookie("session")])), nil)
    }

    /// The token is found by bytes, but exactly as the character-wise rules find it: a space or
    /// tab next to a combining or prepended mark is part of a character, not white space, and a
    /// scheme whose last letter carries a mark is not `Bearer`.
    func testBytewiseTrimAndSchemeAgreeWithCharacters() {
        func characterTrim(_ text: Substring) -> Substring {
            var result = text
            while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
            while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
            return result
        }
        func characterBearer(_ value: Substring) -> Substring? {
            let trimmed = characterTrim(value)
            guard trimmed.utf8.count >= 6, trimmed.prefix(6).lowercased() == "bearer" else { return nil }
            let rest = trimmed.dropFirst(6)
            if rest.isEmpty { return rest }
            guard rest.first == " " || rest.first == "\t" else { return nil }
            return characterTrim(rest)
        }
        let values = [
            "", " ", "\t\t", "Bearer", "bearer a.b.c", "  BEARER\t a.b.c \t ", "Bearer \u{301}a.b.c", "Bearer\u{301} a.b.c",
            " \u{301}x ", "x \u{301}", "\u{600} x", "x\u{600} ", "\u{600} ", " \u{300}", "Bearer a.b.c \u{301}", "Bearer \u{600}",
            "Beare\u{301}r x", "Bearér x", "Basic abc", "Bearerabc", "Bearer\u{200D} x", "é Bearer x", "Bearer  é ", "\r\n Bearer x",
            "Basic\u{301} x", "bearex\u{301} x", "Bearer\u{301}x", "BEARE\u{301}R x", "abcdef", "abcde\u{301}f x", "beare", "Bearer\t\u{301}",
        ]
        for value in values {
            XCTAssertEqual(JWTTokenSource.trim(value[...]), characterTrim(value[...]), value.debugDescription)
            XCTAssertEqual(JWTTokenSource.bearerToken(value[...]), characterBearer(value[...]), value.debugDescription)
        }
    }
}
