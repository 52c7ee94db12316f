import DescriptorLoader
import XCTest

@testable import Transcoder

/// How bound strings are rendered by field type, so that the ProtoJSON parser
/// does the type checking.
final class RequestBindingsTests: XCTestCase {
    typealias F = RouteFixtures

    private func render(_ query: String, input: String = "edgetest.Scalars") throws -> String {
        let table = try F.table([F.rule("GET", "/x")], input: input)
        let match = table.match(method: "GET", path: "/x", query: query)
        return match.json ?? match.summary
    }

    func testScalarsAreQuoted() throws {
        XCTAssertEqual(
            try render("f_double=1.5&f_float=NaN&f_int64=-9223372036854775808&f_uint64=18446744073709551615&f_int32=7&f_fixed32=1&f_sint64=-2"),
            #"{"fDouble":"1.5","fFloat":"NaN","fInt64":"-9223372036854775808","fUint64":"18446744073709551615","fInt32":"7","fFixed32":"1","fSint64":"-2"}"#)
        XCTAssertEqual(try render("f_bytes=aGk%3D&f_string=%22q%22"), #"{"fString":"\"q\"","fBytes":"aGk="}"#)
        // Not numbers: passed as strings for the converter to reject with the path.
        XCTAssertEqual(try render("f_int32=abc"), #"{"fInt32":"abc"}"#)
    }

    func testEnums() throws {
        XCTAssertEqual(try render("f_enum=COLOR_RED"), #"{"fEnum":"COLOR_RED"}"#)
        XCTAssertEqual(try render("f_enum=-3"), #"{"fEnum":-3}"#)
        XCTAssertEqual(try render("f_enum=0"), #"{"fEnum":0}"#)
        XCTAssertEqual(try render("f_enum=01"), #"{"fEnum":"01"}"#)
        XCTAssertEqual(try render("f_enum=1.0"), #"{"fEnum":"1.0"}"#)
        XCTAssertEqual(try render("f_enum=-"), #"{"fEnum":"-"}"#)
    }

    func testBools() throws {
        for (value, literal) in [
            ("true", "true"), ("True", "true"), ("TRUE", "true"), ("t", "true"), ("T", "true"), ("1", "true"),
            ("false", "false"), ("False", "false"), ("FALSE", "false"), ("f", "false"), ("F", "false"), ("0", "false"),
        ] {
            XCTAssertEqual(try render("f_bool=\(value)"), #"{"fBool":\#(literal)}"#, value)
        }
        for value in ["yes", "tRUE", "2", ""] {
            XCTAssertEqual(try render("f_bool=\(value)"), #"{"fBool":"\#(value)"}"#, value)
        }
    }

    func testWellKnownTypesAndWrappers() throws {
        XCTAssertEqual(
            try render("w_timestamp=2024-01-01T00:00:00Z&w_duration=3s&w_field_mask=a,b.c&w_bool_value=f&w_int32_value=5&w_string_value=s&w_bytes_value=AA==&r_timestamp=1970-01-01T00:00:00Z&r_int32_value=1&r_int32_value=2", input: "edgetest.WellKnown"),
            #"{"wTimestamp":"2024-01-01T00:00:00Z","wDuration":"3s","wFieldMask":"a,b.c","wInt32Value":"5","wBoolValue":false,"wStringValue":"s","wBytesValue":"AA==","rTimestamp":["1970-01-01T00:00:00Z"],"rInt32Value":["1","2"]}"#)
        XCTAssertTrue(try render("w_any=x", input: "edgetest.WellKnown").hasPrefix("400"))
        XCTAssertTrue(try render("w_value=x", input: "edgetest.WellKnown").hasPrefix("400"))
        XCTAssertTrue(try render("w_empty=x", input: "edgetest.WellKnown").hasPrefix("400"))
        XCTAssertTrue(try render("r_any=x", input: "edgetest.WellKnown").hasPrefix("400"))
    }

    func testOneofMembersAndProto2() throws {
        // Two members of a oneof are both rendered; the converter rejects the pair.
        XCTAssertEqual(try render("o_string=a&o_int32=1", input: "edgetest.Oneofs"), #"{"oString":"a","oInt32":"1"}"#)
        XCTAssertEqual(try render("o_null=NULL_VALUE", input: "edgetest.Oneofs").hasPrefix("400"), true)
        XCTAssertEqual(try render("o_wrapper=4&outside=o", input: "edgetest.Oneofs"), #"{"oWrapper":"4","outside":"o"}"#)
        XCTAssertEqual(try render("legacy.count=3", input: "edgetest.Everything"), #"{"legacy":{"count":"3"}}"#)
    }

    func testFieldsListing() throws {
        let table = try F.table([F.rule("GET", "/x/{scalars.f_string}")])
        guard case .matched(_, let bindings) = table.match(method: "GET", path: "/x/p", query: "maps.m_string[k]=v&repeated.r_string=1") else {
            return XCTFail()
        }
        XCTAssertEqual(bindings.count, 3)
        XCTAssertEqual(bindings.fields.map { "\($0.path)=\($0.value)" }, ["scalars.fString=p", "repeated.rString=1", "maps.mString[k]=v"])
        XCTAssertEqual(
            String(decoding: bindings.jsonObject(), as: UTF8.self),
            #"{"scalars":{"fString":"p"},"repeated":{"rString":["1"]},"maps":{"mString":{"k":"v"}}}"#)
    }
}
