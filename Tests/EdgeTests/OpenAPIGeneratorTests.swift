import DescriptorLoader
import Edge
import Foundation
import NIOCore
import Transcoder
import XCTest
import Yams
import EdgeConfig
import EdgeCore
import EdgePolicy

/// The OpenAPI document generated from the demo schema and from a fixture service over
/// Tests/Fixtures/protos/edgetest (every scalar, map key, oneof, WKT and recursion): what
/// it says about paths, parameters, schemas, responses, comments and field behaviour.
final class OpenAPIGeneratorTests: XCTestCase {
    static let demoDocument: OpenAPIValue = {
        let schema = try! EndToEndFixture.cliSchema()
        let config = EdgeConfig()
        let table = try! RouteTable(schema: schema)
        return OpenAPIGenerator(schema: schema, table: table, policies: RoutePolicies(config: config)).document()
    }()

    static var fixtureProtos: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/protos").path
    }

    static let fixtureProto = """
        syntax = "proto3";
        package openapitest;
        import "google/api/annotations.proto";
        import "google/api/field_behavior.proto";
        import "edgetest/types.proto";

        // The fixture service.
        service Fixture {
          // Gets everything under a path.
          //
          // The second paragraph.
          rpc Get(GetRequest) returns (edgetest.Everything) {
            option (google.api.http) = { get: "/v1/{name=things/*/parts/**}" };
          }
          // One line.
          rpc Put(edgetest.Everything) returns (edgetest.Tree) {
            option deprecated = true;
            option (google.api.http) = { put: "/v1/everything" body: "*" additional_bindings { post: "/v1/everything" body: "*" } };
          }
          rpc Wkt(edgetest.WellKnown) returns (edgetest.Maps) {
            option (google.api.http) = { post: "/v1/wkt" body: "*" };
          }
          rpc Odd(GetRequest) returns (edgetest.Oneofs) {
            option (google.api.http) = { custom: { kind: "LIST" path: "/v1/odd" } };
          }
        }

        message GetRequest {
          // The resource.
          string name = 1 [(google.api.field_behavior) = REQUIRED];
          edgetest.Scalars filter = 2;
          map<string, string> labels = 3;
          repeated edgetest.Color colors = 4;
          string secret = 5 [(google.api.field_behavior) = INPUT_ONLY, deprecated = true];
          edgetest.Tree tree = 6;
        }
        """

    static func fixtureSchema() throws -> Schema {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("fixture.proto")
        try fixtureProto.write(to: file, atomically: true, encoding: .utf8)
        return try GatewaySchema.load(sources: [file.path], importPaths: [fixtureProtos])
    }

    static func document(_ schema: Schema, config: EdgeConfig = EdgeConfig(), defaultRoutes: Bool = false) throws -> OpenAPIValue {
        let table = try RouteTable(schema: schema)
        return OpenAPIGenerator(
            schema: schema, table: table, policies: RoutePolicies(config: config), options: .init(includeDefaultRoutes: defaultRoutes)
        ).document()
    }

    private func operation(_ document: OpenAPIValue, _ path: String, _ method: String, file: StaticString = #filePath, line: UInt = #line) throws -> OpenAPIValue {
        try XCTUnwrap(document["paths"]?[path]?[method], "\(method) \(path) in \(document["paths"].map(Self.keys) ?? [])", file: file, line: line)
    }

    static func keys(_ value: OpenAPIValue) -> [String] {
        guard case .object(let members) = value else { return [] }
        return members.map(\.0)
    }

    private func component(_ document: OpenAPIValue, _ name: String) throws -> OpenAPIValue {
        try XCTUnwrap(document["components"]?["schemas"]?[name], "component \(name)")
    }

    private func parameters(_ operation: OpenAPIValue) -> [String: OpenAPIValue] {
        guard case .array(let list)? = operation["parameters"] else { return [:] }
        var result: [String: OpenAPIValue] = [:]
        for parameter in list { result[(parameter["in"]?.stringValue ?? "") + ":" + (parameter["name"]?.stringValue ?? "")] = parameter }
        return result
    }

    // MARK: - Demo

    func testEveryDemoRuleIsAnOperationWithAUniqueOperationID() throws {
        let document = Self.demoDocument
        XCTAssertEqual(document["openapi"], .string("3.1.0"))
        var ids: [String] = []
        var count = 0
        for path in Self.keys(document["paths"]!) {
            for method in Self.keys(document["paths"]![path]!) {
                count += 1
                ids.append(document["paths"]![path]![method]!["operationId"]!.stringValue!)
            }
        }
        // 22 methods, 6 additional bindings; the default routes are off in the document.
        XCTAssertEqual(count, 28)
        XCTAssertEqual(Set(ids).count, ids.count)
        XCTAssertTrue(ids.contains("Bookstore_GetBook") && ids.contains("Bookstore_GetBook_2"))
        XCTAssertNil(document["paths"]?["/demo.bookstore.v1.Bookstore/GetShelf"])
        XCTAssertEqual(try operation(document, "/v1/shelves/{shelf}", "get")["tags"], .array([.string("Bookstore")]))
    }

    func testMultiSegmentVariableIsExpandedIntoSegmentParameters() throws {
        let document = Self.demoDocument
        let get = try operation(document, "/v2/shelves/{name_shelf}/books/{name_book}", "get")
        let parameters = parameters(get)
        // `shelf` and `book` are query parameters of GetBookRequest here: the segments take other names.
        XCTAssertNotNil(parameters["path:name_shelf"])
        XCTAssertNotNil(parameters["path:name_book"])
        XCTAssertNotNil(parameters["query:shelf"])
        XCTAssertEqual(parameters["path:name_book"]?["required"], .bool(true))
        XCTAssertEqual(parameters["path:name_book"]?["schema"]?["example"], .string("1"))
        let publish = try operation(document, "/v1/shelves/{shelf}/books/{book}:publish", "post")
        XCTAssertEqual(self.parameters(publish)["path:shelf"]?["schema"]?["example"], .string("2"))
        XCTAssertEqual(self.parameters(publish)["path:book"]?["schema"]?["example"], .string("5"))
    }

    func testQueryParametersFollowTheBinder() throws {
        let list = try operation(Self.demoDocument, "/v1/shelves/{shelf}/books", "get")
        let parameters = parameters(list)
        XCTAssertEqual(Set(parameters.keys), [
            "path:shelf", "query:pageSize", "query:pageToken", "query:filter", "query:genres", "query:tags",
            "query:query.minPages", "query:query.author", "query:query.publishedAfter",
        ])
        XCTAssertEqual(parameters["query:genres"]?["explode"], .bool(true))
        XCTAssertEqual(parameters["query:genres"]?["schema"]?["type"], .string("array"))
        XCTAssertEqual(parameters["query:query.publishedAfter"]?["schema"]?["format"], .string("date-time"))
        XCTAssertEqual(parameters["path:shelf"]?["schema"]?["format"], .string("int64"))
        // OpenAPI: comment keywords.
        XCTAssertEqual(parameters["query:pageSize"]?["schema"]?["minimum"], .int(0))
        // body: "*" binds everything: no query parameters.
        XCTAssertNil(try operation(Self.demoDocument, "/v1/shelves", "post")["parameters"])
    }

    func testSchemasFollowTheProto3JSONMapping() throws {
        let document = Self.demoDocument
        let book = try component(document, "demo.bookstore.v1.Book")
        let properties = try XCTUnwrap(book["properties"])
        XCTAssertEqual(properties["isbn"]?["type"], .string("string"))
        XCTAssertEqual(properties["isbn"]?["format"], .string("int64"))
        XCTAssertEqual(properties["publishTime"]?["format"], .string("date-time"))
        XCTAssertEqual(properties["inventory"]?["type"], .string("object"))
        XCTAssertEqual(properties["genre"]?["$ref"], .string("#/components/schemas/demo.bookstore.v1.Genre"))
        XCTAssertEqual(properties["name"]?["readOnly"], .bool(true))
        XCTAssertEqual(book["additionalProperties"], .bool(false))
        // The oneof `format`: at most one of ebook, paperback.
        XCTAssertEqual(
            book["not"], .object([("anyOf", .array([.object([("required", .array([.string("ebook"), .string("paperback")]))])]))]))
        let genre = try component(document, "demo.bookstore.v1.Genre")
        // Names; an open enum also prints numbers it has no name for.
        guard case .array(let forms)? = genre["anyOf"] else { return XCTFail("\(genre)") }
        XCTAssertEqual(forms.first?["type"], .string("string"))
        XCTAssertEqual(forms.last?["type"], .string("integer"))
        // Input style: REQUIRED fields are required, others also take null.
        let input = try component(document, "demo.bookstore.v1.Book-input")
        XCTAssertEqual(input["required"], .array([.string("title"), .string("author")]))
        XCTAssertEqual(input["properties"]?["genre"]?["anyOf"], .array([
            .object([("$ref", .string("#/components/schemas/demo.bookstore.v1.Genre-input"))]), .object([("type", .string("null"))]),
        ]))
        XCTAssertNil(book["required"])
    }

    func testResponsesStreamingAndHttpBody() throws {
        let document = Self.demoDocument
        let stream = try operation(document, "/v1/shelves/{shelf}/books:stream", "get")
        XCTAssertEqual(Self.keys(stream["responses"]!["200"]!["content"]!), ["application/x-ndjson", "text/event-stream"])
        let cover = try operation(document, "/v1/covers/{name}", "get")
        XCTAssertEqual(cover["responses"]?["200"]?["content"]?["*/*"]?["schema"]?["format"], .string("binary"))
        let upload = try operation(document, "/v1/covers", "post")
        XCTAssertEqual(upload["requestBody"]?["content"]?["*/*"]?["schema"]?["format"], .string("binary"))
        // response_body: "book".
        let lookup = try operation(document, "/v1/books:lookup", "get")
        XCTAssertEqual(lookup["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["$ref"], .string("#/components/schemas/demo.bookstore.v1.Book"))
        // Errors are google.rpc.Status, with the statuses the route can produce.
        let create = try operation(document, "/v1/shelves/{shelf}/books", "post")
        let statuses = Self.keys(create["responses"]!)
        XCTAssertEqual(statuses, ["200", "400", "404", "413", "415", "503", "504", "default"])
        XCTAssertEqual(create["responses"]?["400"]?["content"]?["application/json"]?["schema"]?["$ref"], .string("#/components/schemas/google.rpc.Status"))
        let chat = try operation(document, "/v1/books:chat", "post")
        XCTAssertEqual(chat["requestBody"]?["required"], .bool(false))
        XCTAssertNotNil(chat["requestBody"]?["content"]?["application/x-ndjson"])
    }

    func testCommentsBecomeSummaryAndDescription() throws {
        let get = try operation(Self.demoDocument, "/v1/shelves/{shelf}", "get")
        XCTAssertEqual(get["summary"], .string("Gets a shelf by its int64 id."))
        XCTAssertEqual(get["description"]?.stringValue?.hasPrefix("Gets a shelf by its int64 id."), true)
        let tags = Self.demoDocument["tags"]
        XCTAssertEqual(tags, .array([.object([("name", .string("Bookstore")), ("x-grpc-service", .string("demo.bookstore.v1.Bookstore"))])]))
    }

    // MARK: - Fixture service

    func testFixtureServiceDocument() throws {
        let document = try Self.document(Self.fixtureSchema())
        // `{name=things/*/parts/**}`: a segment parameter and one for the rest of the path.
        let get = try operation(document, "/v1/things/{thing}/parts/{part}", "get")
        let parameters = parameters(get)
        XCTAssertEqual(parameters["path:part"]?["x-edge-multi-segment"], .bool(true))
        XCTAssertEqual(get["summary"], .string("Gets everything under a path."))
        XCTAssertEqual(get["description"]?.stringValue?.contains("The second paragraph."), true)
        XCTAssertNotNil(parameters["query:filter.fInt64"])
        XCTAssertEqual(parameters["query:labels"]?["style"], .string("deepObject"))
        XCTAssertEqual(parameters["query:secret"]?["deprecated"], .bool(true))
        // A recursive message is bound through its singular fields once.
        XCTAssertNotNil(parameters["query:tree.name"])
        XCTAssertNil(parameters["query:tree.left.name"])
        // One-line comment: summary and description both (not only a title).
        let put = try operation(document, "/v1/everything", "put")
        XCTAssertEqual(put["summary"], .string("One line."))
        XCTAssertEqual(put["description"]?.stringValue?.hasPrefix("One line."), true)
        XCTAssertEqual(put["deprecated"], .bool(true))
        XCTAssertEqual(try operation(document, "/v1/everything", "post")["operationId"], .string("Fixture_Put_2"))
        // A custom HTTP method OpenAPI cannot hold is listed, not dropped silently.
        XCTAssertEqual(document["x-edge-undocumented-routes"], .array([.string("LIST /v1/odd -> openapitest.Fixture.Odd")]))

        let wkt = try component(document, "edgetest.WellKnown-input")
        let properties = try XCTUnwrap(wkt["properties"])
        XCTAssertEqual(properties["wDuration"]?["pattern"], .string(#"^-?[0-9]{1,11}(\.[0-9]{1,9})?s$"#))
        XCTAssertEqual(properties["wAny"]?["required"], .array([.string("@type")]))
        XCTAssertEqual(properties["wInt64Value"]?["type"], .array([.string("string"), .string("integer"), .string("null")]))
        XCTAssertEqual(properties["wBytesValue"]?["contentEncoding"], .string("base64"))
        XCTAssertEqual(properties["wEmpty"]?["maxProperties"], .int(0))
        XCTAssertEqual(properties["wValue"]?["description"]?.stringValue?.hasPrefix("google.protobuf.Value"), true)
        let maps = try component(document, "edgetest.Maps")
        XCTAssertEqual(maps["properties"]?["mInt32"]?["propertyNames"], .object([("pattern", .string("^-?[0-9]+$"))]))
        XCTAssertEqual(maps["properties"]?["mBool"]?["propertyNames"], .object([("enum", .array([.string("true"), .string("false")]))]))
        // Recursion through $ref.
        let tree = try component(document, "edgetest.Tree")
        XCTAssertEqual(tree["properties"]?["left"]?["$ref"], .string("#/components/schemas/edgetest.Tree"))
        let names = try component(document, "edgetest.CustomNames")
        XCTAssertNotNil(names["properties"]?["customJson"])
    }

    func testRouteJSONOptionsChooseTheSchemaVariant() throws {
        let schema = try Self.fixtureSchema()
        var options = EdgeConfig.RouteOptions()
        options.json = .init(useProtoNames: true, enumsAsInts: true)
        let config = EdgeConfig(routes: [.init(key: .method("openapitest.Fixture.Wkt"), options: options)])
        let document = try Self.document(schema, config: config)
        let maps = try component(document, "edgetest.Maps-proto_names-enums_as_ints")
        XCTAssertNotNil(maps["properties"]?["m_int32"])
        let wkt = try operation(document, "/v1/wkt", "post")
        XCTAssertEqual(
            wkt["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["$ref"],
            .string("#/components/schemas/edgetest.Maps-proto_names-enums_as_ints"))
        let defaults = try Self.document(schema, defaultRoutes: true)
        XCTAssertNotNil(defaults["paths"]?["/openapitest.Fixture/Get"]?["post"])
    }

    // MARK: - Writers and serving

    func testYAMLReadsAsTheSameDocumentAsJSON() throws {
        let document = OpenAPIDocument(value: Self.demoDocument, docs: false)
        let json = try JSONSerialization.jsonObject(with: Data(document.json.readableBytesView)) as? NSDictionary
        let yaml = try Yams.load(yaml: String(buffer: document.yaml)) as? [String: Any]
        XCTAssertNotNil(yaml)
        let reencoded = try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: yaml!)) as? NSDictionary
        XCTAssertEqual(json, reencoded)
    }

    func testAnswersOnlyItsPaths() throws {
        let assets = try XCTUnwrap(OpenAPIAssets.bundled, "Resources/swagger-ui is found")
        let document = OpenAPIDocument(value: Self.demoDocument, docs: true, assets: assets)
        XCTAssertEqual(document.answer(path: "/openapi.json")?.contentType, "application/json")
        XCTAssertEqual(document.answer(path: "/openapi.yaml")?.contentType, "application/yaml")
        XCTAssertEqual(document.answer(path: "/docs")?.contentType, "text/html; charset=utf-8")
        XCTAssertEqual(document.answer(path: "/docs/assets/swagger-ui.css")?.contentType, "text/css; charset=utf-8")
        XCTAssertNil(document.answer(path: "/docs/assets/../../etc/passwd"))
        XCTAssertNil(document.answer(path: "/v1/shelves"))
        let withoutDocs = OpenAPIDocument(value: Self.demoDocument, docs: false)
        XCTAssertNil(withoutDocs.answer(path: "/docs"))
        XCTAssertNotNil(withoutDocs.answer(path: "/openapi.json"))
        XCTAssertFalse(OpenAPIDocument.mayAnswer(uri: "/v1/shelves"))
    }

    func testConfigKeys() throws {
        let base = "descriptors: {sources: [\"\(EndToEndFixture.protosetPath)\"]}\nclusters: [{name: a, endpoints: [\"127.0.0.1:1\"], services: [demo]}]\n"
        guard case .success(let config) = ConfigLoader.parse(yaml: base + "openapi: {enabled: true, docs: true}\n") else {
            return XCTFail("openapi: {enabled: true, docs: true} parses")
        }
        XCTAssertEqual(config.openAPI, EdgeConfig.OpenAPI(enabled: true, docs: true))
        guard case .success(let off) = ConfigLoader.parse(yaml: base) else { return XCTFail("parses") }
        XCTAssertFalse(off.openAPI.enabled)
        guard case .failure(let unknown) = ConfigLoader.parse(yaml: base + "openapi: {enabled: true, ui: true}\n") else {
            return XCTFail("an unknown key is an error")
        }
        XCTAssertTrue("\(unknown.problems)".contains("ui"), "\(unknown.problems)")
        guard case .failure(let docsAlone) = ConfigLoader.parse(yaml: base + "openapi: {docs: true}\n") else {
            return XCTFail("docs without enabled is an error")
        }
        XCTAssertTrue("\(docsAlone.problems)".contains("enabled"), "\(docsAlone.problems)")
    }
}
