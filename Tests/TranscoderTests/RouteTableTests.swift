import DescriptorLoader
import XCTest

@testable import Transcoder

/// Matching: precedence independent of registration order, verbs, 404/405,
/// trailing and empty segments, percent-decoding of path variables.
final class RouteTableTests: XCTestCase {
    typealias F = RouteFixtures

    /// Builds the same rules under every rotation and a few shuffles of the
    /// registration order and checks that each request picks the same template.
    private func assertPrecedence(
        _ templates: [String], _ expectations: [(path: String, template: String?)], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        var orders: [[Int]] = (0..<templates.count).map { shift in (0..<templates.count).map { ($0 + shift) % templates.count } }
        orders.append(Array((0..<templates.count).reversed()))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 { orders.append(Array(0..<templates.count).shuffled(using: &generator)) }
        for order in orders {
            let rules = order.map { F.rule("GET", templates[$0]) }
            let table = try F.table(rules, input: "edgetest.Scalars")
            for (path, expected) in expectations {
                let match = table.match(method: "GET", path: path)
                switch match {
                case .matched(let route, _):
                    XCTAssertEqual(route.pattern, expected, "\(path) with order \(order)", file: file, line: line)
                default:
                    XCTAssertNil(expected, "\(path) gave \(match.summary) with order \(order)", file: file, line: line)
                }
            }
        }
    }

    func testLiteralBeatsWildcardBeatsMultiWildcard() throws {
        try assertPrecedence(
            ["/v1/users/me", "/v1/users/{f_string}", "/v1/users/**", "/v1/{f_string=**}", "/v1/*/me"],
            [
                ("/v1/users/me", "/v1/users/me"),
                ("/v1/users/42", "/v1/users/{f_string}"),
                ("/v1/users/42/x", "/v1/users/**"),
                ("/v1/users", "/v1/users/**"),  // ** matches zero segments
                ("/v1/groups/me", "/v1/*/me"),
                ("/v1/groups/x", "/v1/{f_string=**}"),
                ("/v1", "/v1/{f_string=**}"),
                ("/v2/users", nil),
            ])
    }

    func testMostSpecificFromTheLeftWithBacktracking() throws {
        try assertPrecedence(
            ["/a/{f_string}/c/d", "/a/b/{f_string}/e", "/a/b/**", "/*/b/c/d"],
            [
                ("/a/b/c/d", "/a/b/**"),  // the literal `b` branch wins; it has a ** that matches
                ("/a/b/c/e", "/a/b/{f_string}/e"),
                ("/a/x/c/d", "/a/{f_string}/c/d"),
                ("/z/b/c/d", "/*/b/c/d"),
                ("/z/b/c/e", nil),
            ])
        // Without the ** the literal branch dead-ends and the search backtracks to `*`.
        try assertPrecedence(
            ["/a/{f_string}/c/d", "/a/b/{f_string}/e"],
            [("/a/b/c/d", "/a/{f_string}/c/d"), ("/a/b/c/e", "/a/b/{f_string}/e")])
    }

    func testManyLiteralSiblingsUseTheHashTable() throws {
        let templates = (0..<40).map { "/v1/resource\($0)/{f_string}" } + ["/v1/{f_string}/x"]
        let table = try F.table(templates.map { F.rule("GET", $0) }, input: "edgetest.Scalars")
        for i in [0, 7, 39] {
            XCTAssertEqual(table.match(method: "GET", path: "/v1/resource\(i)/abc").summary, "M\(i)")
        }
        XCTAssertEqual(table.match(method: "GET", path: "/v1/resource40/x").summary, "M40")
        XCTAssertEqual(table.match(method: "GET", path: "/v1/resource40/y").summary, "404")
    }

    func testLargeTableEveryRouteFindsItselfInAnyRegistrationOrder() throws {
        var rules: [(template: String, method: String, request: String, json: String)] = []
        for i in 0..<150 {
            rules.append(("/v1/projects/{f_string}/res\(i)", "GET", "/v1/projects/p\(i)/res\(i)", #"{"fString":"p\#(i)"}"#))
            rules.append(("/v1/projects/{f_string}/res\(i)", "POST", "/v1/projects/q\(i)/res\(i)", #"{"fString":"q\#(i)"}"#))
            rules.append(
                ("/v1/projects/{f_string}/res\(i)/{f_int32}", "GET", "/v1/projects/p/res\(i)/\(i)", #"{"fInt32":"\#(i)","fString":"p"}"#))
            rules.append(
                ("/v1/projects/{f_string}/res\(i)/{f_int32}:act", "POST", "/v1/projects/p/res\(i)/7:act", #"{"fInt32":"7","fString":"p"}"#))
            rules.append(("/v1/res\(i)/{f_string=**}", "GET", "/v1/res\(i)/a/b/c", #"{"fString":"a/b/c"}"#))
            rules.append(("/v1/res\(i)/special", "GET", "/v1/res\(i)/special", "{}"))
        }
        for _ in 0..<3 {
            let order = rules.indices.shuffled()
            let table = try F.table(order.map { F.rule(rules[$0].method, rules[$0].template) }, input: "edgetest.Scalars")
            for (position, index) in order.enumerated() {
                let rule = rules[index]
                let match = table.match(method: rule.method, path: rule.request)
                XCTAssertEqual(match.summary, "M\(position)", rule.request)
                XCTAssertEqual(match.json, rule.json, rule.request)
            }
            XCTAssertEqual(table.match(method: "DELETE", path: "/v1/projects/p/res3").summary, "405 GET,POST")
            XCTAssertEqual(table.match(method: "GET", path: "/v1/projects/p/res150").summary, "404")
        }
    }

    func testVerbs() throws {
        let table = try F.table(
            [
                F.rule("POST", "/v1/{f_string=*}:cancel"), F.rule("GET", "/v1/{f_string=*}"),
                F.rule("POST", "/v1/{f_string=**}:undelete"), F.rule("GET", "/v2/{f_string}:get"),
            ], input: "edgetest.Scalars")
        XCTAssertEqual(table.match(method: "POST", path: "/v1/op1:cancel").summary, "M0")
        XCTAssertEqual(table.match(method: "POST", path: "/v1/op1:cancel").json, #"{"fString":"op1"}"#)
        // A verb must come after the last "/" (Envoy): with a trailing slash it is part of the segment.
        XCTAssertEqual(table.match(method: "POST", path: "/v1/op1:cancel/").summary, "405 GET")
        XCTAssertEqual(table.match(method: "GET", path: "/v1/op1:cancel/").json, #"{"fString":"op1:cancel"}"#)
        // An unknown verb is part of the segment.
        XCTAssertEqual(table.match(method: "GET", path: "/v1/a:b").json, #"{"fString":"a:b"}"#)
        // A known verb that leads nowhere is tried as part of the segment too.
        XCTAssertEqual(table.match(method: "GET", path: "/v1/a:cancel").json, #"{"fString":"a:cancel"}"#)
        XCTAssertEqual(table.match(method: "DELETE", path: "/v1/a:cancel").summary, "405 GET,POST")
        XCTAssertEqual(table.match(method: "POST", path: "/v1/a/b/c:undelete").json, #"{"fString":"a/b/c"}"#)
        XCTAssertEqual(table.match(method: "POST", path: "/v1/a/b/c:cancel").summary, "404")
        XCTAssertEqual(table.match(method: "GET", path: "/v2/x:get").json, #"{"fString":"x"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/v2/x").summary, "404")
        // Only the last segment carries a verb.
        XCTAssertEqual(table.match(method: "POST", path: "/v1/a:cancel/b").summary, "404")
    }

    func testNotFoundAndMethodNotAllowed() throws {
        let table = try F.table(
            [
                F.rule("GET", "/v1/things/{f_string}"), F.rule("DELETE", "/v1/things/{f_string}"),
                F.rule("PATCH", "/v1/things/special"), F.rule("POST", "/v1/things"),
            ], input: "edgetest.Scalars")
        XCTAssertEqual(table.match(method: "PUT", path: "/v1/things/1").summary, "405 DELETE,GET")
        // The literal route does not hide the variable route of the request's method…
        XCTAssertEqual(table.match(method: "GET", path: "/v1/things/special").summary, "M0")
        // …and the Allow list collects every method whose route matches the path.
        XCTAssertEqual(table.match(method: "PUT", path: "/v1/things/special").summary, "405 DELETE,GET,PATCH")
        XCTAssertEqual(table.match(method: "GET", path: "/v1/things").summary, "405 POST")
        XCTAssertEqual(table.match(method: "GET", path: "/v1/nothing").summary, "404")
        XCTAssertEqual(table.match(method: "GET", path: "v1/things/1").summary, "404")
        XCTAssertEqual(table.match(method: "GET", path: "").summary, "404")
    }

    func testTrailingAndEmptySegments() throws {
        let table = try F.table(
            [F.rule("GET", "/v1/things/{f_string}"), F.rule("GET", "/"), F.rule("GET", "/v1/a/*/b")], input: "edgetest.Scalars")
        XCTAssertEqual(table.match(method: "GET", path: "/v1/things/x/").json, #"{"fString":"x"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/v1/things/x//").json, #"{"fString":"x"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/").summary, "M1")
        XCTAssertEqual(table.match(method: "GET", path: "//").summary, "M1")
        // An empty segment in the middle is a segment (as in Envoy): `*` matches it.
        XCTAssertEqual(table.match(method: "GET", path: "/v1/a//b").summary, "M2")
        XCTAssertEqual(table.match(method: "GET", path: "/v1//things/x").summary, "404")
    }

    func testPercentDecodingOfPathVariables() throws {
        let table = try F.table(
            [
                F.rule("GET", "/one/{f_string}"), F.rule("GET", "/multi/{f_string=a/*}"), F.rule("GET", "/rest/{f_string=**}"),
                F.rule("GET", "/lit%20eral/{f_string}"),
            ], input: "edgetest.Scalars")
        // Single segment: fully decoded, %2F included.
        XCTAssertEqual(table.match(method: "GET", path: "/one/a%2Fb%20c%3F").json, #"{"fString":"a/b c?"}"#)
        // Multi-segment: reserved characters stay encoded, the rest is decoded.
        XCTAssertEqual(table.match(method: "GET", path: "/multi/a/b%2Fc%20d%3a").json, #"{"fString":"a/b%2Fc d%3a"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/rest/x%2Fy/%7Ez").json, #"{"fString":"x%2Fy/~z"}"#)
        // `**` over one segment is still multi-segment.
        XCTAssertEqual(table.match(method: "GET", path: "/rest/x%2Fy").json, #"{"fString":"x%2Fy"}"#)
        // UTF-8 and JSON escaping of the decoded value.
        XCTAssertEqual(table.match(method: "GET", path: "/one/%E2%82%AC%22%5C%0A").json, #"{"fString":"€\"\\\n"}"#)
        // Literals are compared as written in the template.
        XCTAssertEqual(table.match(method: "GET", path: "/lit%20eral/x").summary, "M3")
        for bad in ["/one/%zz", "/one/abc%4", "/rest/a/%", "/multi/a/%G0"] {
            let error = try XCTUnwrap(table.match(method: "GET", path: bad).error, bad)
            XCTAssertEqual(error.kind, .badBinding, bad)
            XCTAssertEqual(error.path, "fString", bad)
        }
        XCTAssertEqual(table.match(method: "GET", path: "/one/%C3%28").error?.kind, .invalidUTF8)
    }

    func testRawTargetVariant() throws {
        let table = try F.table([F.rule("GET", "/v1/{f_string}")], input: "edgetest.Scalars")
        let target = Array("/v1/abc?f_int32=5".utf8)
        let match = target.withUnsafeBufferPointer { table.match(method: "GET", target: $0) }
        XCTAssertEqual(match.json, #"{"fInt32":"5","fString":"abc"}"#)
        let raw = target.withUnsafeBytes { table.match(method: "GET", target: $0) }
        XCTAssertEqual(raw.json, #"{"fInt32":"5","fString":"abc"}"#)
        XCTAssertEqual(Array("/v1/x".utf8).withUnsafeBytes { table.match(method: "GET", target: $0) }.json, #"{"fString":"x"}"#)
        XCTAssertEqual(Array("/v1/x?".utf8).withUnsafeBytes { table.match(method: "GET", target: $0) }.json, #"{"fString":"x"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/v1/abc"[...], query: "f_int32=6"[...]).json, #"{"fInt32":"6","fString":"abc"}"#)
    }

    func testDuplicateRulesAndDefaultRoutes() throws {
        XCTAssertThrowsError(
            try F.table([F.rule("GET", "/v1/{f_string}"), F.rule("GET", "/v1/{f_int32}"), F.rule("POST", "/v1/{f_int32}")], input: "edgetest.Scalars")
        ) { error in
            let lines = (error as! SchemaErrors).errors.map(\.description)
            XCTAssertEqual(lines, ["test.proto: edgetest.Svc.M1 (GET /v1/{f_int32}): GET /v1/{f_int32} is also claimed by edgetest.Svc.M0 (GET /v1/{f_string}) in test.proto"])
        }
        // A rule claiming the default route's place wins it; the others keep theirs.
        let table = try F.table(
            [F.rule("POST", "/edgetest.Svc/M1", body: "f_string"), F.rule("GET", "/x")], input: "edgetest.Scalars",
            options: .init())
        XCTAssertEqual(table.routes.map { "\($0.method.name) \($0.httpMethod) \($0.pattern) \($0.isDefaultRoute)" }, [
            "M0 POST /edgetest.Svc/M1 false", "M0 POST /edgetest.Svc/M0 true", "M1 GET /x false",
        ])
        XCTAssertEqual(table.match(method: "POST", path: "/edgetest.Svc/M1").summary, "M0")
        guard case .matched(let route, let bindings) = table.match(method: "POST", path: "/edgetest.Svc/M0") else {
            return XCTFail()
        }
        XCTAssertTrue(route.isDefaultRoute)
        XCTAssertEqual(route.bodyText, "*")
        XCTAssertTrue(bindings.isEmpty)
        XCTAssertEqual(String(decoding: bindings.jsonObject(), as: UTF8.self), "{}")
    }

    func testWellKnownScalarLeavesAreBindable() throws {
        let table = try F.table(
            [
                F.rule("GET", "/t/{w_timestamp}"), F.rule("GET", "/d/{w_duration}"), F.rule("GET", "/b/{w_bool_value}"),
                F.rule("GET", "/i/{w_int64_value}"), F.rule("GET", "/f/{w_field_mask}"),
            ], input: "edgetest.WellKnown")
        XCTAssertEqual(table.match(method: "GET", path: "/t/2024-01-01T00:00:00Z").json, #"{"wTimestamp":"2024-01-01T00:00:00Z"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/d/1.5s").json, #"{"wDuration":"1.5s"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/b/true").json, #"{"wBoolValue":true}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/i/12").json, #"{"wInt64Value":"12"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/f/a.b,c").json, #"{"wFieldMask":"a.b,c"}"#)
        XCTAssertThrowsError(try F.table([F.rule("GET", "/{w_any}")], input: "edgetest.WellKnown"))
        XCTAssertThrowsError(try F.table([F.rule("GET", "/{w_null_value}")], input: "edgetest.WellKnown"))
        XCTAssertThrowsError(try F.table([F.rule("GET", "/{r_timestamp}")], input: "edgetest.WellKnown"))
    }
}
