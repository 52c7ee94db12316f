import DescriptorLoader
import XCTest

@testable import Transcoder

/// Query strings → bindings: nesting, repetition, maps, names, decoding, conflicts.
final class QueryParametersTests: XCTestCase {
    typealias F = RouteFixtures

    private func json(_ query: String, input: String = "edgetest.Everything", rule: HTTPRule = F.rule("GET", "/x"),
        ignoreUnknown: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let table = try F.table([rule], input: input, options: .init(defaultRoutes: false, ignoreUnknownQueryParameters: ignoreUnknown))
        let match = table.match(method: rule.httpMethod, path: "/x", query: query)
        guard let json = match.json else {
            XCTFail(match.summary, file: file, line: line)
            return ""
        }
        return json
    }

    private func error(_ query: String, input: String = "edgetest.Everything", rule: HTTPRule = F.rule("GET", "/x"),
        ignoreUnknown: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) throws -> TranscodeError? {
        let table = try F.table([rule], input: input, options: .init(defaultRoutes: false, ignoreUnknownQueryParameters: ignoreUnknown))
        let match = table.match(method: rule.httpMethod, path: "/x", query: query)
        XCTAssertNotNil(match.error, match.summary, file: file, line: line)
        return match.error
    }

    func testNestedFieldsMergeIntoOneObject() throws {
        XCTAssertEqual(
            try json("scalars.f_string=a&customNames.plain_field=b&scalars.fInt32=3&tree.left.left.name=deep&tree.name=top"),
            #"{"scalars":{"fInt32":"3","fString":"a"},"tree":{"name":"top","left":{"left":{"name":"deep"}}},"customNames":{"plainField":"b"}}"#)
    }

    func testJSONAndProtoNames() throws {
        XCTAssertEqual(try json("custom_names.renamed=x", input: "edgetest.Everything"), #"{"customNames":{"customJson":"x"}}"#)
        XCTAssertEqual(try json("customNames.customJson=x"), #"{"customNames":{"customJson":"x"}}"#)
        // The same field by both names is a duplicate.
        let e = try error("customNames.customJson=x&custom_names.renamed=y")
        XCTAssertEqual(e?.kind, .badBinding)
        XCTAssertEqual(e?.path, "customNames.customJson")
        XCTAssertTrue(e?.message.contains("too many values") ?? false)
    }

    func testRepeatedFieldsKeepOrder() throws {
        XCTAssertEqual(
            try json("r_string=b&r_string=a&rInt64=1&r_string=c&r_bool=true&r_enum=COLOR_RED&r_enum=2", input: "edgetest.Repeated"),
            #"{"rInt64":["1"],"rBool":[true],"rString":["b","a","c"],"rEnum":["COLOR_RED",2]}"#)
        XCTAssertEqual(try error("r_message.f_string=x", input: "edgetest.Repeated")?.kind, .badBinding)
        XCTAssertTrue(try error("r_message.f_string=x", input: "edgetest.Repeated")?.message.contains("repeated message") ?? false)
    }

    func testMaps() throws {
        XCTAssertEqual(
            try json("m_string[b]=2&mString[a]=1&m_int32[-5]=x&m_bool[true]=y&m_enum[k]=COLOR_RED&m_timestamp[t]=2024-01-01T00:00:00Z", input: "edgetest.Maps"),
            #"{"mInt32":{"-5":"x"},"mBool":{"true":"y"},"mString":{"a":"1","b":"2"},"mEnum":{"k":"COLOR_RED"},"mTimestamp":{"t":"2024-01-01T00:00:00Z"}}"#)
        // Keys are percent-decoded and may contain dots and brackets' neighbours.
        XCTAssertEqual(try json("m_string%5Ba.b%20c%5D=v", input: "edgetest.Maps"), #"{"mString":{"a.b c":"v"}}"#)
        XCTAssertEqual(try error("m_string[a]=1&m_string[a]=2", input: "edgetest.Maps")?.message.contains("map key 'a'"), true)
        XCTAssertTrue(try error("m_string=1", input: "edgetest.Maps")?.message.contains("mString[key]=value") ?? false)
        XCTAssertEqual(try error("m_string=1", input: "edgetest.Maps")?.path, "mString")
        XCTAssertEqual(try error("m_string[a=1", input: "edgetest.Maps")?.kind, .badBinding)
        XCTAssertEqual(try json("m_string[]=1", input: "edgetest.Maps"), #"{"mString":{"":"1"}}"#)
        XCTAssertTrue(try error("m_message[a]=1", input: "edgetest.Maps")?.message.contains("values are messages") ?? false)
        XCTAssertTrue(try error("f_string[a]=1", input: "edgetest.Scalars")?.message.contains("not a map") ?? false)
    }

    func testDecodingPlusEmptyAndFlagParameters() throws {
        XCTAssertEqual(
            try json("f_string=a+b%2Bc%26d%3D&f_bytes=&&f_bool", input: "edgetest.Scalars"),
            #"{"fBool":"","fString":"a b+c&d=","fBytes":""}"#)
        XCTAssertEqual(try json("f%5Fstring=%E2%82%AC", input: "edgetest.Scalars"), #"{"fString":"€"}"#)
        XCTAssertEqual(try json("f_string=a=b", input: "edgetest.Scalars"), #"{"fString":"a=b"}"#)
        XCTAssertEqual(try error("f_string=%zz", input: "edgetest.Scalars")?.kind, .badBinding)
        XCTAssertEqual(try error("f_string=%zz", input: "edgetest.Scalars")?.path, "fString")
        XCTAssertEqual(try error("f_str%g=1", input: "edgetest.Scalars")?.kind, .badBinding)
        XCTAssertEqual(try error("f_string=%FF", input: "edgetest.Scalars")?.kind, .invalidUTF8)
        XCTAssertEqual(try error("=v", input: "edgetest.Scalars")?.kind, .badBinding)
    }

    func testUnknownParameters() throws {
        let e = try XCTUnwrap(try error("api_key=1&f_string=x", input: "edgetest.Scalars"))
        XCTAssertEqual(e.kind, .badBinding)
        XCTAssertTrue(e.message.contains("'api_key'"), e.message)
        XCTAssertTrue(e.message.contains("edgetest.Scalars"), e.message)
        let nested = try XCTUnwrap(try error("scalars.nope=1"))
        XCTAssertTrue(nested.message.contains("'scalars.nope'") && nested.message.contains("'nope' is not a field of edgetest.Scalars"), nested.message)
        XCTAssertEqual(try json("api_key=1&f_string=x&a.b.c=2", input: "edgetest.Scalars", ignoreUnknown: true), #"{"fString":"x"}"#)
        // Names that reach a field wrongly are errors even when unknown names are ignored.
        XCTAssertTrue(try error("f_string.x=1", input: "edgetest.Scalars", ignoreUnknown: true)?.message.contains("not a message field") ?? false)
        XCTAssertTrue(try error("scalars=1", ignoreUnknown: true)?.message.contains("is a message") ?? false)
        XCTAssertTrue(try error("well_known.w_struct=1", ignoreUnknown: true)?.message.contains("google.protobuf.Struct") ?? false)
    }

    func testNonRepeatedFieldGivenTwice() throws {
        let e = try XCTUnwrap(try error("f_string=a&fString=b", input: "edgetest.Scalars"))
        XCTAssertEqual(e.path, "fString")
        XCTAssertTrue(e.message.contains("'a', 'b'"), e.message)
    }

    func testConflictsWithPathAndBody() throws {
        let pathRule = F.rule("GET", "/x/{scalars.f_string}")
        let table = try F.table([pathRule, F.rule("POST", "/x/{scalars.f_string}", body: "*"), F.rule("PUT", "/x/{scalars.f_string}", body: "tree")])
        XCTAssertEqual(
            table.match(method: "GET", path: "/x/p", query: "scalars.f_int32=1").json, #"{"scalars":{"fInt32":"1","fString":"p"}}"#)
        let byPath = try XCTUnwrap(table.match(method: "GET", path: "/x/p", query: "scalars.fString=q").error)
        XCTAssertEqual(byPath.path, "scalars.fString")
        XCTAssertTrue(byPath.message.contains("path binds"), byPath.message)
        let byBodyStar = try XCTUnwrap(table.match(method: "POST", path: "/x/p", query: "scalars.f_int32=1").error)
        XCTAssertTrue(byBodyStar.message.contains("body binds every field"), byBodyStar.message)
        // Unknown names are still ignorable with body "*"; known ones are not.
        let ignoring = try F.table(
            [F.rule("POST", "/x", body: "*")], options: .init(defaultRoutes: false, ignoreUnknownQueryParameters: true))
        XCTAssertEqual(ignoring.match(method: "POST", path: "/x", query: "api_key=1").json, "{}")
        XCTAssertEqual(ignoring.match(method: "POST", path: "/x", query: "tree.name=1").error?.kind, .badBinding)
        let byBodyField = try XCTUnwrap(table.match(method: "PUT", path: "/x/p", query: "tree.left.name=1").error)
        XCTAssertTrue(byBodyField.message.contains("which the body ('tree') binds"), byBodyField.message)
        XCTAssertEqual(byBodyField.path, "tree.left.name")
        XCTAssertEqual(
            table.match(method: "PUT", path: "/x/p", query: "custom_names.plain_field=1").json,
            #"{"scalars":{"fString":"p"},"customNames":{"plainField":"1"}}"#)
    }
}
