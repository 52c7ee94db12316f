import XCTest
@testable import DescriptorLoader

/// gRPC API configuration YAML: parsing, overriding annotations, and errors
/// that name the file and the rule.
final class ServiceConfigParserTests: XCTestCase {
    static let api = """
        syntax = "proto3";
        package lib.v1;
        import "google/api/annotations.proto";
        message Book { string name = 1; string title = 2; }
        message GetBookRequest { string name = 1; }
        message UpdateBookRequest { string name = 1; Book book = 2; }
        service Library {
          rpc GetBook(GetBookRequest) returns (Book) { option (google.api.http) = { get: "/v1/annotated/{name}" }; }
          rpc UpdateBook(UpdateBookRequest) returns (Book);
          rpc Ping(GetBookRequest) returns (Book);
        }
        """

    func parse(_ yaml: String) throws -> ServiceConfig {
        try ServiceConfigParser.parse(yaml: yaml, file: "api.yaml")
    }

    func parseErrors(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try parse(yaml)
            XCTFail("expected the parse to fail", file: file, line: line)
        } catch let errors as SchemaErrors {
            return errors.errors.map(\.description)
        } catch {
            return ["\(error)"]
        }
        return []
    }

    func testParsesRulesWithAdditionalBindingsAndCustomVerbs() throws {
        let config = try parse("""
            type: google.api.Service
            config_version: 3
            name: library.example.com
            http:
              rules:
              - selector: lib.v1.Library.UpdateBook
                patch: /v1/{name=books/*}
                body: book
                response_body: title
                additional_bindings:
                - put: /v1/books/{name}
                  body: "*"
              - selector: lib.v1.Library.Ping
                custom: {kind: head, path: /v1/ping}
            """)
        XCTAssertEqual(config.rules.map(\.selector), ["lib.v1.Library.UpdateBook", "lib.v1.Library.Ping"])
        XCTAssertEqual(config.rules.map(\.index), [0, 1])
        XCTAssertEqual(config.rules.first?.line, 6)
        XCTAssertEqual(config.rules[0].bindings, [
            HTTPRule(httpMethod: "PATCH", pattern: "/v1/{name=books/*}", body: "book", responseBody: "title", origin: .yaml(file: "api.yaml")),
            HTTPRule(httpMethod: "PUT", pattern: "/v1/books/{name}", body: "*", responseBody: "", origin: .yaml(file: "api.yaml")),
        ])
        XCTAssertEqual(config.rules[1].bindings.map(\.httpMethod), ["HEAD"])
        XCTAssertEqual(config.rules[1].bindings.map(\.pattern), ["/v1/ping"])
    }

    func testEmptyDocumentAndNoHTTPSection() throws {
        XCTAssertEqual(try parse("").rules, [])
        XCTAssertEqual(try parse("type: google.api.Service\nname: x\n").rules, [])
    }

    func testMalformedYAML() {
        assertError(parseErrors("http:\n  rules: [\n"), contains: "api.yaml: malformed YAML")
        assertError(parseErrors("- just\n- a list\n"), contains: "api.yaml: malformed service config: the document must be a mapping")
    }

    func testRuleErrorsNameTheRuleAndAreAllCollected() {
        let errors = parseErrors("""
            type: google.api.Service
            config_version: 2
            http:
              rules:
              - selector: a.B.C
                get: /v1/ok
              - get: /v1/no-selector
              - selector: a.B.D
                bdy: "*"
                post: /v1/typo
              - selector: a.B.E
                body: "*"
              - selector: a.B.F
                get: /v1/x
                post: /v1/y
              - selector: a.B.G
                get: /v1/g
                additional_bindings:
                - selector: a.B.H
                  get: /v1/h
                - get: /v1/i
                  additional_bindings: []
              - not a mapping
            """)
        assertError(errors, contains: "api.yaml: config_version must be 3, not '2' (line 2)")
        assertError(errors, contains: "api.yaml: http.rules[1]: selector is missing (line 7)")
        assertError(errors, contains: "api.yaml: http.rules[2]: unknown key 'bdy' (line 9)")
        assertError(errors, contains: "http.rules[3]: no HTTP method: set one of get, put, post, delete, patch or custom (line 11)")
        assertError(errors, contains: "http.rules[4]: more than one HTTP method (GET, POST)")
        assertError(errors, contains: "http.rules[5]: additional_bindings[0]: unknown key 'selector'")
        assertError(errors, contains: "http.rules[5]: additional_bindings[1]: unknown key 'additional_bindings' (additional_bindings must not nest)")
        assertError(errors, contains: "http.rules[6]: a rule must be a mapping")
        XCTAssertEqual(errors.count, 8, errors.joined(separator: "\n"))
    }

    func testWrongType() {
        assertError(parseErrors("type: google.api.Other\n"), contains: "api.yaml: type must be google.api.Service, not 'google.api.Other' (line 1)")
    }

    func testYAMLRuleReplacesTheAnnotation() throws {
        let workspace = try ProtoWorkspace()
        let proto = try workspace.write("lib/v1/library.proto", Self.api)
        let yaml = try workspace.write("lib/library.yaml", """
            type: google.api.Service
            config_version: 3
            http:
              rules:
              - selector: lib.v1.Library.GetBook
                get: /v1/{name=books/*}
                additional_bindings:
                - get: /v2/{name=books/*}
              - selector: lib.v1.Library.UpdateBook
                patch: /v1/{name=books/*}
                body: book
            """)
        let schema = try SchemaLoader.load(sources: [yaml, proto])
        let get = try XCTUnwrap(schema.methods["lib.v1.Library.GetBook"])
        XCTAssertEqual(get.httpRules.map(\.pattern), ["/v1/{name=books/*}", "/v2/{name=books/*}"], "the annotation is replaced")
        XCTAssertEqual(get.httpRules.map(\.origin), [.yaml(file: yaml), .yaml(file: yaml)])
        XCTAssertEqual(schema.methods["lib.v1.Library.UpdateBook"]?.httpRules.first?.body, "book")
        XCTAssertEqual(schema.methods["lib.v1.Library.Ping"]?.httpRules, [])
    }

    func testUnknownSelectorBadBodyAndDuplicateSelector() throws {
        let workspace = try ProtoWorkspace()
        let proto = try workspace.write("lib/v1/library.proto", Self.api)
        let first = try workspace.write("first.yaml", """
            http:
              rules:
              - selector: lib.v1.Library.GetBok
                get: /v1/x
              - selector: lib.v1.Nope.Get
                get: /v1/y
              - selector: lib.v1.Library.UpdateBook
                patch: /v1/books/{name}
                body: bok
              - selector: lib.v1.Library.Ping
                get: ""
            """)
        let second = try workspace.write("second.yaml", """
            http:
              rules:
              - selector: lib.v1.Library.UpdateBook
                put: /v1/books/{name}
            """)
        let errors = loadErrors([proto, first, second])
        assertError(
            errors, contains: "\(first): http.rules[0] (line 3)",
            "selector 'lib.v1.Library.GetBok' names no loaded method (service 'lib.v1.Library' has GetBook, UpdateBook, Ping)")
        assertError(errors, contains: "\(first): http.rules[1] (line 5)", "selector 'lib.v1.Nope.Get' names no loaded method (no service 'lib.v1.Nope' is loaded)")
        assertError(
            errors, contains: "\(first): http.rules[2] (line 7): lib.v1.Library.UpdateBook (PATCH /v1/books/{name})",
            "body 'bok' must be '*' or a top-level field of lib.v1.UpdateBookRequest")
        assertError(errors, contains: "\(first): http.rules[3] (line 10): lib.v1.Library.Ping (GET )", "binding has an empty path")
        assertError(
            errors, contains: "\(second): http.rules[0] (line 3): selector 'lib.v1.Library.UpdateBook' already has a rule at \(first): http.rules[2] (line 7)")
        XCTAssertEqual(errors.count, 5, errors.joined(separator: "\n"))
    }

    func testMalformedYAMLFileInALoad() throws {
        let workspace = try ProtoWorkspace()
        let yaml = try workspace.write("bad.yaml", "http: {rules: [")
        assertError(loadErrors([yaml]), contains: "\(yaml): malformed YAML")
    }
}
