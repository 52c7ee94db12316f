import DescriptorLoader
import Foundation
import XCTest

@testable import Transcoder

/// Schemas for the routing tests: real protoc output (the committed
/// edgetest.protoset, and `.proto` files compiled with /usr/bin/protoc), plus
/// services with hand-written rules over those messages.
enum RouteFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let edgetest: Schema = try! SchemaLoader.load(
        sources: [fixtures.appendingPathComponent("edgetest.protoset").path])

    /// Compiles a `.proto` under Tests/Fixtures/protos with protoc and loads it.
    static func compile(_ file: String) throws -> Schema {
        try SchemaLoader.load(sources: [try descriptorSet(file)])
    }

    static func descriptorSet(_ file: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("routing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("out.pb").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/protoc")
        process.arguments = [
            "-I", fixtures.appendingPathComponent("protos").path,
            // google/api/{annotations,http}.proto: the bundled copies the product ships.
            "-I", fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("protos").path,
            "-I", "/usr/include", "--include_imports",
            "--descriptor_set_out=\(output)", file,
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
        return output
    }

    static func rule(_ method: String, _ pattern: String, body: String = "", responseBody: String = "") -> HTTPRule {
        HTTPRule(httpMethod: method, pattern: pattern, body: body, responseBody: responseBody, origin: .annotation(file: "test.proto"))
    }

    /// edgetest's messages plus a service `edgetest.Svc` whose methods (name, input, rules) are given.
    static func schema(_ methods: [(name: String, input: String, rules: [HTTPRule])]) -> Schema {
        let base = edgetest
        let service = ServiceSchema(
            fullName: "edgetest.Svc",
            methods: methods.map {
                MethodSchema(
                    name: $0.name, serviceName: "edgetest.Svc", inputType: $0.input, outputType: "edgetest.Scalars",
                    clientStreaming: false, serverStreaming: false, idempotencyLevel: .unknown, httpRules: $0.rules)
            },
            file: "test.proto")
        return Schema(messages: base.messages, enums: base.enums, services: ["edgetest.Svc": service], files: base.files)
    }

    /// A table of one method per rule, all taking `input`; method names are `M0`, `M1`, … in rule order.
    static func table(
        _ rules: [HTTPRule], input: String = "edgetest.Everything", options: RouteTable.Options = .init(defaultRoutes: false)
    ) throws -> RouteTable {
        try RouteTable(
            schema: schema(rules.enumerated().map { ("M\($0.offset)", input, [$0.element]) }), options: options)
    }
}

extension RouteMatch {
    /// `M3` for a match, `404`, `405 GET,POST` or `400 <message>`.
    var summary: String {
        switch self {
        case .matched(let route, _): return route.method.name
        case .notFound: return "404"
        case .methodNotAllowed(let allowed): return "405 " + allowed.joined(separator: ",")
        case .invalid(let error): return "400 \(error)"
        }
    }

    var json: String? {
        guard case .matched(_, let bindings) = self else { return nil }
        return String(decoding: bindings.jsonObject(), as: UTF8.self)
    }

    var error: TranscodeError? {
        guard case .invalid(let error) = self else { return nil }
        return error
    }
}

/// Loading real protoc output: annotations, additional bindings, custom
/// methods, and the validation errors a rule can earn.
final class RouteTableFixtureTests: XCTestCase {
    func testLibraryRoutesFromProtoc() throws {
        let table = try RouteTable(schema: try RouteFixtures.compile("routing/library.proto"))
        let listing = table.routes.map { "\($0.httpMethod) \($0.pattern) \($0.method.name) \($0.bodyText)" }
        XCTAssertEqual(
            listing,
            [
                "POST /v1/{name=operations/**}:cancel CancelOperation *",
                "POST /routing.Library/CancelOperation CancelOperation *",
                "POST /v1/{parent=shelves/*}/books CreateBook book",
                "POST /routing.Library/CreateBook CreateBook *",
                "HEAD /v1/{name=shelves/*/books/*} Custom ",
                "POST /routing.Library/Custom Custom *",
                "GET /v1/{name=shelves/*/books/*} GetBook ",
                "POST /routing.Library/GetBook GetBook *",
                "GET /files/{bucket}/{path=**} GetFile ",
                "POST /routing.Library/GetFile GetFile *",
                "GET /v1/{parent=shelves/*}/books ListBooks ",
                "GET /v1/books ListBooks ",
                "POST /routing.Library/ListBooks ListBooks *",
                "PATCH /v1/{book.name=shelves/*/books/*} UpdateBook book",
                "POST /routing.Library/UpdateBook UpdateBook *",
            ])
        XCTAssertEqual(table.routes.count, 15)
        XCTAssertEqual(table.routes.filter(\.isDefaultRoute).count, 7)
        let update = try XCTUnwrap(table.routes.first { $0.method.name == "UpdateBook" && !$0.isDefaultRoute })
        XCTAssertEqual(update.responseBody?.name, "title")

        XCTAssertEqual(table.match(method: "GET", path: "/v1/shelves/1/books/2").summary, "GetBook")
        XCTAssertEqual(table.match(method: "GET", path: "/v1/shelves/1/books/2").json, #"{"name":"shelves/1/books/2"}"#)
        XCTAssertEqual(table.match(method: "HEAD", path: "/v1/shelves/1/books/2").summary, "Custom")
        XCTAssertEqual(table.match(method: "DELETE", path: "/v1/shelves/1/books/2").summary, "405 GET,HEAD,PATCH")
        XCTAssertEqual(table.match(method: "GET", path: "/v1/shelves/1/books").summary, "ListBooks")
        XCTAssertEqual(table.match(method: "POST", path: "/v1/shelves/1/books").summary, "CreateBook")
        XCTAssertEqual(table.match(method: "PUT", path: "/v1/shelves/1/books").summary, "405 GET,POST")
        XCTAssertEqual(
            table.match(method: "GET", path: "/v1/books", query: "page_size=10&pageToken=abc&since=2024-01-01T00:00:00Z").json,
            #"{"pageSize":"10","pageToken":"abc","since":"2024-01-01T00:00:00Z"}"#)
        XCTAssertEqual(
            table.match(method: "PATCH", path: "/v1/shelves/s/books/b", query: "allowMissing=true").json,
            #"{"book":{"name":"shelves/s/books/b"},"allowMissing":true}"#)
        // The body binds `book` and everything under it.
        XCTAssertEqual(table.match(method: "PATCH", path: "/v1/shelves/s/books/b", query: "book.title=x").error?.kind, .badBinding)
        XCTAssertEqual(table.match(method: "POST", path: "/v1/operations/a/b:cancel").json, #"{"name":"operations/a/b"}"#)
        XCTAssertEqual(table.match(method: "POST", path: "/routing.Library/GetBook").summary, "GetBook")
        XCTAssertEqual(table.match(method: "GET", path: "/routing.Library/GetBook").summary, "405 POST")
        XCTAssertEqual(table.match(method: "GET", path: "/files/b/a/b%2Fc/d%20e").json, #"{"path":"a/b%2Fc/d e","bucket":"b"}"#)
        XCTAssertEqual(table.match(method: "GET", path: "/files/b").json, #"{"path":"","bucket":"b"}"#)

        let noDefaults = try RouteTable(
            schema: try RouteFixtures.compile("routing/library.proto"), options: .init(defaultRoutes: false))
        XCTAssertEqual(noDefaults.routes.count, 8)
        XCTAssertEqual(noDefaults.match(method: "POST", path: "/routing.Library/GetBook").summary, "404")
    }

    func testInvalidRulesAreAllReported() throws {
        let schema = try RouteFixtures.compile("routing/invalid.proto")
        XCTAssertThrowsError(try RouteTable(schema: schema)) { error in
            guard let errors = error as? SchemaErrors else { return XCTFail("\(error)") }
            let lines = errors.errors.map(\.description)
            XCTAssertEqual(lines.count, 9, lines.joined(separator: "\n"))
            func expect(_ method: String, _ fragment: String, line: UInt = #line) {
                XCTAssertTrue(
                    lines.contains { $0.hasPrefix("routing/invalid.proto: invalid.Broken.\(method) (GET ") && $0.contains(fragment) },
                    "\(method): \(fragment) not in\n\(lines.joined(separator: "\n"))", line: line)
            }
            expect("MissingField", "path variable 'nope': 'nope' is not a field of invalid.Request")
            expect("RepeatedField", "'tags' is repeated")
            expect("MapField", "'labels' is a map")
            expect("MessageField", "'inner' is a message (invalid.Inner)")
            expect("ThroughRepeated", "'inners': a repeated message field cannot be bound")
            expect("ThroughScalar", "'name' is not a message, so it has no field 'id'")
            expect("StructField", "google.protobuf.Struct cannot be bound")
            expect("BadTemplate", "'**' must be the last segment")
            expect("Second", "GET /v1/things/{inner.id} is also claimed by invalid.Broken.First (GET /v1/things/{name}) in routing/invalid.proto")
            XCTAssertFalse(lines.contains { $0.contains("Fine") })
        }
    }
}
