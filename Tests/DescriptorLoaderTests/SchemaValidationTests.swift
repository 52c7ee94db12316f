import XCTest
@testable import DescriptorLoader

/// Every problem in a load is reported, each naming the file and the element.
final class SchemaValidationTests: XCTestCase {
    func testUnresolvedTypesFromASetBuiltWithoutImports() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("dep.proto", "syntax = \"proto3\"; package dep; message Dep { int32 n = 1; } enum E { E0 = 0; }")
        try workspace.write("use.proto", """
            syntax = "proto3";
            package use;
            import "dep.proto";
            message Use { dep.Dep dep = 1; dep.E e = 2; }
            message Req {}
            service S { rpc M(dep.Dep) returns (Use); }
            """)
        let set = try workspace.descriptorSet("use.pb", from: ["use.proto"], includeImports: false)
        let errors = loadErrors([set])
        assertError(errors, contains: "use.proto (from \(set))", "imports 'dep.proto', which is not loaded", "--include_imports")
        assertError(errors, contains: "use.proto", "use.Use.dep: unresolved type '.dep.Dep'")
        assertError(errors, contains: "use.proto", "use.Use.e: unresolved type '.dep.E'")
        assertError(errors, contains: "use.proto", "use.S.M: unresolved input type '.dep.Dep'")
        XCTAssertEqual(errors.count, 4, "all errors are collected:\n\(errors.joined(separator: "\n"))")
    }

    func testSameFullNameInTwoFiles() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("one/a.proto", "syntax = \"proto3\"; package dup; message Thing { int32 n = 1; }")
        try workspace.write("two/b.proto", "syntax = \"proto3\"; package dup; message Thing { string s = 1; }")
        let first = try workspace.descriptorSet("a.pb", from: ["a.proto"], importRoot: "one")
        let second = try workspace.descriptorSet("b.pb", from: ["b.proto"], importRoot: "two")
        assertError(loadErrors([first, second]), contains: "b.proto (from \(second))", "'dup.Thing' is defined in both 'a.proto' and 'b.proto'")
    }

    func testSameFileNameWithDifferentContents() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("one/api.proto", "syntax = \"proto3\"; package api; message Thing { int32 n = 1; }")
        try workspace.write("two/api.proto", "syntax = \"proto3\"; package api; message Thing { string n = 1; }")
        let first = try workspace.descriptorSet("one.pb", from: ["api.proto"], importRoot: "one")
        let second = try workspace.descriptorSet("two.pb", from: ["api.proto"], importRoot: "two")
        assertError(loadErrors([first, second]), contains: second, "file 'api.proto' is also loaded from \(first) with different contents")
        // The identical file twice is fine.
        XCTAssertNotNil(try SchemaLoader.load(sources: [first, first]).message("api.Thing"))
    }

    func testBodyAndResponseBodyMustBeTopLevelFields() throws {
        let workspace = try ProtoWorkspace()
        let file = try workspace.write("api/bodies.proto", """
            syntax = "proto3";
            package bodies;
            import "google/api/annotations.proto";
            message Inner { string x = 1; }
            message Req { string id = 1; Inner inner = 2; string display_name = 3; }
            message Res { Inner inner = 1; }
            service S {
              rpc Nested(Req) returns (Res) { option (google.api.http) = { post: "/v1/a" body: "inner.x" }; }
              rpc Missing(Req) returns (Res) { option (google.api.http) = { post: "/v1/b" body: "nope" }; }
              rpc JsonName(Req) returns (Res) { option (google.api.http) = { post: "/v1/c" body: "displayName" }; }
              rpc Out(Req) returns (Res) { option (google.api.http) = { get: "/v1/d" response_body: "missing" }; }
              rpc Star(Req) returns (Res) { option (google.api.http) = { get: "/v1/e" response_body: "*" }; }
              rpc Good(Req) returns (Res) { option (google.api.http) = { put: "/v1/f" body: "inner" response_body: "inner" }; }
            }
            """)
        let errors = loadErrors([file])
        assertError(
            errors, contains: "bodies.proto: bodies.S.Nested google.api.http (POST /v1/a)",
            "body 'inner.x' must be '*' or a top-level field of bodies.Req (fields: id, inner, display_name)")
        assertError(errors, contains: "bodies.S.Missing", "body 'nope' must be '*' or a top-level field of bodies.Req")
        assertError(errors, contains: "bodies.S.JsonName", "body 'displayName' must be '*' or a top-level field")
        assertError(
            errors, contains: "bodies.S.Out google.api.http (GET /v1/d)",
            "response_body 'missing' must be a top-level field of bodies.Res (fields: inner)")
        assertError(errors, contains: "bodies.S.Star", "response_body '*' must be a top-level field")
        XCTAssertEqual(errors.count, 5, errors.joined(separator: "\n"))
    }

    func testBindingsWithoutVerbOrPath() throws {
        let workspace = try ProtoWorkspace()
        let file = try workspace.write("api/empty.proto", """
            syntax = "proto3";
            package empty;
            import "google/api/annotations.proto";
            message M {}
            service S {
              rpc NoVerb(M) returns (M) { option (google.api.http) = { body: "*" }; }
              rpc NoPath(M) returns (M) { option (google.api.http) = { get: "" }; }
              rpc NoKind(M) returns (M) { option (google.api.http) = { custom { path: "/v1/x" } }; }
              rpc Extra(M) returns (M) {
                option (google.api.http) = { get: "/v1/ok" additional_bindings { post: "" } };
              }
            }
            """)
        let errors = loadErrors([file])
        assertError(errors, contains: "empty.proto: empty.S.NoVerb google.api.http", "binding has no HTTP method")
        assertError(errors, contains: "empty.S.NoVerb", "binding has an empty path")
        assertError(errors, contains: "empty.proto: empty.S.NoPath google.api.http (GET )", "binding has an empty path")
        assertError(errors, contains: "empty.S.NoKind", "binding has no HTTP method")
        assertError(errors, contains: "empty.S.Extra google.api.http (POST )", "binding has an empty path")
        XCTAssertEqual(errors.count, 5, errors.joined(separator: "\n"))
    }

    func testWellKnownFilesFromDifferentProtocReleasesLoadTogether() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("t.proto", """
            syntax = "proto3";
            import "google/protobuf/timestamp.proto";
            message T { google.protobuf.Timestamp at = 1; }
            """)
        let set = try workspace.descriptorSet("t.pb", from: ["t.proto"])
        // Another release's timestamp.proto: same types, different file options.
        let system = try String(contentsOfFile: "/usr/include/google/protobuf/timestamp.proto", encoding: .utf8)
        try workspace.write(
            "newer/google/protobuf/timestamp.proto",
            system.replacingOccurrences(of: "option cc_enable_arenas = true;", with: "option cc_enable_arenas = false;"))
        let newer = try workspace.descriptorSet("newer.pb", from: ["google/protobuf/timestamp.proto"], importRoot: "newer")
        let schema = try SchemaLoader.load(sources: [set, newer])
        XCTAssertEqual(schema.message("google.protobuf.Timestamp")?.fields.count, 2, "the first copy wins")
    }
}
