import XCTest
@testable import DescriptorLoader

/// `.proto` sources are compiled with protoc: import roots, file naming,
/// protoc's own errors, and the error when protoc is missing.
final class ProtoFileLoadingTests: XCTestCase {
    static let greeter = """
        syntax = "proto3";
        package greet.v1;
        import "google/api/annotations.proto";
        import "google/protobuf/timestamp.proto";
        import "greet/v1/common.proto";
        message HelloRequest { string name = 1; Common common = 2; }
        message HelloReply { string message = 1; google.protobuf.Timestamp at = 2; }
        service Greeter {
          rpc SayHello(HelloRequest) returns (HelloReply) {
            option (google.api.http) = { post: "/v1/hello" body: "*" };
          }
        }
        """
    static let common = """
        syntax = "proto3";
        package greet.v1;
        message Common { string trace = 1; }
        """

    func testFileUnderAnImportPathIsNamedRelativeToIt() throws {
        let workspace = try ProtoWorkspace()
        let file = try workspace.write("src/greet/v1/greeter.proto", Self.greeter)
        try workspace.write("src/greet/v1/common.proto", Self.common)
        let schema = try SchemaLoader.load(sources: [file], importPaths: [workspace.path("src")])
        XCTAssertEqual(schema.message("greet.v1.HelloRequest")?.file, "greet/v1/greeter.proto")
        XCTAssertEqual(schema.message("greet.v1.Common")?.file, "greet/v1/common.proto")
        XCTAssertEqual(schema.methods["greet.v1.Greeter.SayHello"]?.httpRules.first?.pattern, "/v1/hello")
        XCTAssertEqual(schema.message("google.protobuf.Timestamp")?.wellKnownType, .timestamp)
        XCTAssertTrue(schema.files.contains("google/api/http.proto"), "imports come from the bundled protos")
    }

    func testFileOutsideEveryImportPathUsesItsDirectory() throws {
        let workspace = try ProtoWorkspace()
        let file = try workspace.write("loose/ping.proto", """
            syntax = "proto3";
            package ping;
            message Ping { int32 n = 1; }
            """)
        let schema = try SchemaLoader.load(sources: [file], importPaths: [workspace.path("elsewhere")])
        XCTAssertEqual(schema.message("ping.Ping")?.file, "ping.proto")
    }

    func testMixedWithDescriptorSets() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("src/greet/v1/greeter.proto", Self.greeter)
        try workspace.write("src/greet/v1/common.proto", Self.common)
        let set = try workspace.descriptorSet("greet.pb", from: ["greet/v1/common.proto"], importRoot: "src")
        let other = try workspace.write("other/other.proto", """
            syntax = "proto3";
            package other;
            import "greet/v1/common.proto";
            message Wrapper { greet.v1.Common common = 1; }
            """)
        let schema = try SchemaLoader.load(sources: [set, other], importPaths: [workspace.path("src")])
        XCTAssertEqual(schema.message("other.Wrapper")?.fields.first?.typeName, "greet.v1.Common")
    }

    func testProtocErrorsArePassedThrough() throws {
        let workspace = try ProtoWorkspace()
        let file = try workspace.write("bad/broken.proto", """
            syntax = "proto3";
            package broken;
            message Broken { strin name = 1; }
            """)
        let errors = loadErrors([file])
        assertError(errors, contains: file, "protoc failed", "broken.proto:3", "\"strin\" is not defined")
    }

    func testMissingImportIsAProtocError() throws {
        let workspace = try ProtoWorkspace()
        let file = try workspace.write("a/needs.proto", """
            syntax = "proto3";
            import "not/there.proto";
            message Needs { int32 n = 1; }
            """)
        assertError(loadErrors([file]), contains: "protoc failed", "not/there.proto: File not found")
    }

    func testNoProtocOnPath() throws {
        let workspace = try ProtoWorkspace()
        let file = try workspace.write("p/x.proto", "syntax = \"proto3\"; message X {}")
        let noProtoc = ProtocCompiler(environment: ["PATH": workspace.path("empty-bin")])
        let errors = loadErrors([file], protoc: noProtoc)
        assertError(
            errors, contains: "protoc was not found on PATH",
            "install protoc (apt-get install protobuf-compiler) or pass a descriptor set built with: "
                + "protoc --include_imports --descriptor_set_out=api.pb ...")
    }

    func testDescriptorSetsNeedNoProtoc() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("src/greet/v1/common.proto", Self.common)
        let set = try workspace.descriptorSet("greet.pb", from: ["greet/v1/common.proto"], importRoot: "src")
        let noProtoc = ProtocCompiler(environment: ["PATH": "/nonexistent"])
        XCTAssertNotNil(try SchemaLoader.load(sources: [set], protoc: noProtoc).message("greet.v1.Common"))
    }

    func testProtocFromEnvironmentVariable() throws {
        let protoc = try ProtocCompiler().locate()
        XCTAssertEqual(try ProtocCompiler(environment: ["PROTOC": protoc, "PATH": ""]).locate(), protoc)
        XCTAssertThrowsError(try ProtocCompiler(environment: ["PROTOC": "/nonexistent/protoc"]).locate()) {
            XCTAssertTrue("\($0)".contains("PROTOC=/nonexistent/protoc: not an executable file; install protoc"))
        }
    }

    func testImportPathOrder() throws {
        let roots = SchemaLoader.compileImportPaths(
            for: ["/w/src/a/b.proto"], directory: nil, importPaths: ["/w/src", "/w/src/"])
        XCTAssertEqual(roots.first, "/w/src")
        XCTAssertEqual(roots.filter { $0 == "/w/src" }.count, 1)
        if let bundled = SchemaLoader.bundledProtosDirectory { XCTAssertTrue(roots.contains(bundled)) }
        let loose = SchemaLoader.compileImportPaths(for: ["/w/x/y.proto"], directory: nil, importPaths: ["/w/src"])
        XCTAssertEqual(Array(loose.prefix(2)), ["/w/src", "/w/x"])
    }
}
