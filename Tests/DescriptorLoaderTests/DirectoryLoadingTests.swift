import Foundation
import XCTest
@testable import DescriptorLoader

/// A directory source is walked recursively for .proto, descriptor-set and
/// YAML files, in sorted order, with the directory as an import root.
final class DirectoryLoadingTests: XCTestCase {
    func testMixedDirectory() throws {
        let workspace = try ProtoWorkspace()
        // .proto files importing each other relative to the directory.
        try workspace.write("team/orders/v1/orders.proto", """
            syntax = "proto3";
            package orders.v1;
            import "google/api/annotations.proto";
            import "orders/v1/money.proto";
            message Order { string id = 1; Money total = 2; }
            message GetOrderRequest { string id = 1; }
            service Orders {
              rpc GetOrder(GetOrderRequest) returns (Order) { option (google.api.http) = { get: "/v1/orders/{id}" }; }
            }
            """)
        try workspace.write("team/orders/v1/money.proto", """
            syntax = "proto3";
            package orders.v1;
            message Money { int64 units = 1; }
            """)
        // A descriptor set made elsewhere, dropped into the same directory.
        try workspace.write("elsewhere/users.proto", """
            syntax = "proto3";
            package users;
            message User { string name = 1; }
            message GetUserRequest { string name = 1; }
            service Users { rpc GetUser(GetUserRequest) returns (User); }
            """)
        let set = try workspace.descriptorSet("elsewhere/users.protoset", from: ["users.proto"], importRoot: "elsewhere")
        try FileManager.default.createDirectory(atPath: workspace.path("team/prebuilt"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: set, toPath: workspace.path("team/prebuilt/users.protoset"))
        // A service config giving the descriptor-set method a binding.
        try workspace.write("team/prebuilt/users.yaml", """
            type: google.api.Service
            config_version: 3
            http:
              rules:
              - selector: users.Users.GetUser
                get: /v1/users/{name}
            """)
        // Files that are none of the above, and hidden ones, are ignored.
        try workspace.write("team/README.md", "# Orders team")
        try workspace.write("team/.git/config", "garbage")
        try workspace.write("team/.hidden.proto", "this would not compile")

        let schema = try SchemaLoader.load(sources: [workspace.path("team")])
        XCTAssertEqual(schema.message("orders.v1.Order")?.file, "orders/v1/orders.proto")
        XCTAssertEqual(schema.message("orders.v1.Order")?.field(named: "total")?.typeName, "orders.v1.Money")
        XCTAssertEqual(schema.methods["orders.v1.Orders.GetOrder"]?.httpRules.first?.pattern, "/v1/orders/{id}")
        let getUser = try XCTUnwrap(schema.methods["users.Users.GetUser"]?.httpRules.first)
        XCTAssertEqual(getUser.pattern, "/v1/users/{name}")
        XCTAssertEqual(getUser.origin, .yaml(file: workspace.path("team/prebuilt/users.yaml")))
    }

    func testDiscoveryIsSortedAndGroupsProtos() throws {
        let workspace = try ProtoWorkspace()
        for name in ["b/z.proto", "a/y.proto", "c.pb", "a.yaml", "b/x.desc", "notes.txt"] {
            try workspace.write("dir/" + name, "")
        }
        let root = workspace.path("dir")
        XCTAssertEqual(try SchemaSource.discover(at: root), [
            .protoFiles(files: [root + "/a/y.proto", root + "/b/z.proto"], root: root, origin: root),
            .serviceConfig(path: root + "/a.yaml"),
            .descriptorSet(path: root + "/b/x.desc"),
            .descriptorSet(path: root + "/c.pb"),
        ])
    }

    func testExplicitFilesAreSniffedByExtension() throws {
        let workspace = try ProtoWorkspace()
        let api = try workspace.write("api.proto", "")
        let config = try workspace.write("api.yml", "")
        let anything = try workspace.write("api.descriptor", "")
        XCTAssertEqual(try SchemaSource.discover(at: api), [.protoFiles(files: [api], root: nil, origin: api)])
        XCTAssertEqual(try SchemaSource.discover(at: config), [.serviceConfig(path: config)])
        XCTAssertEqual(try SchemaSource.discover(at: anything), [.descriptorSet(path: anything)])
    }

    func testDirectoryUnderAnImportPathIsNamedRelativeToIt() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("src/acme/v1/a.proto", """
            syntax = "proto3";
            package acme.v1;
            import "acme/v1/b.proto";
            message A { B b = 1; }
            """)
        try workspace.write("src/acme/v1/b.proto", "syntax = \"proto3\"; package acme.v1; message B {}")
        let schema = try SchemaLoader.load(sources: [workspace.path("src/acme")], importPaths: [workspace.path("src")])
        XCTAssertEqual(schema.message("acme.v1.A")?.file, "acme/v1/a.proto")
        XCTAssertEqual(schema.files.filter { $0.hasPrefix("acme/") }, ["acme/v1/b.proto", "acme/v1/a.proto"])
    }

    func testBundledSubdirectoryKeepsItsCanonicalNames() throws {
        let bundled = try XCTUnwrap(SchemaLoader.bundledProtosDirectory)
        let schema = try SchemaLoader.load(sources: [bundled + "/google/rpc"])
        XCTAssertEqual(schema.message("google.rpc.Status")?.file, "google/rpc/status.proto")
        // Loads next to the prebuilt set of the same files without conflict.
        let both = try SchemaLoader.load(sources: [bundled + "/google/rpc", try XCTUnwrap(SchemaLoader.bundledDescriptorSet("google-rpc"))])
        XCTAssertNotNil(both.message("google.rpc.ErrorInfo"))
    }

    func testEmptyDirectoryIsAnError() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("empty/README.md", "nothing here")
        assertError(
            loadErrors([workspace.path("empty")]), contains: workspace.path("empty"),
            "directory holds no .proto, descriptor set")
    }

    /// The benchmark API, which imports google/protobuf/timestamp.proto from /usr/include.
    func testBenchProtosDirectory() throws {
        // ../shared/bench beside the repository, found from this file's place in it.
        let bench = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/bench/protos").standardizedFileURL.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: bench), "\(bench) is missing: ../shared/bench must sit beside the repository")
        let schema = try SchemaLoader.load(sources: [bench])
        let get = try XCTUnwrap(schema.methods["bench.v1.Catalog.GetProduct"])
        XCTAssertEqual(get.httpRules.map(\.pattern), ["/v1/products/{id}"])
        XCTAssertEqual(schema.methods["bench.v1.Catalog.CreateProduct"]?.httpRules.first?.body, "product")
        let product = try XCTUnwrap(schema.message("bench.v1.Product"))
        XCTAssertEqual(product.field(named: "created_at")?.typeName, "google.protobuf.Timestamp")
        XCTAssertEqual(product.field(named: "price_micros")?.jsonName, "priceMicros")
        XCTAssertTrue(product.field(named: "attributes")?.isMap ?? false)
    }
}
