import DescriptorLoader
import Foundation
import SwiftProtobuf
import XCTest

@testable import EdgeDemo

/// The compiled-in demo schema: identical to the committed protoset, complete (imports,
/// source info, google.rpc details), and loadable by the gateway's SchemaBuilder with every
/// HTTP rule shape intact.
final class DemoSchemaTests: XCTestCase {
    func testEmbeddedDescriptorSetMatchesTheCommittedProtoset() throws {
        let protoset = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protos/demo/bookstore.protoset")
        XCTAssertEqual(DemoSchema.descriptorSet, Array(try Data(contentsOf: protoset)))

        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: DemoSchema.descriptorSet)
        let files = Set(set.file.map(\.name))
        for name in [
            "demo/bookstore/v1/bookstore.proto", "google/api/annotations.proto", "google/api/http.proto",
            "google/rpc/status.proto", "google/rpc/error_details.proto", "google/rpc/code.proto",
            "google/protobuf/field_mask.proto",
        ] {
            XCTAssertTrue(files.contains(name), name)
        }
        let bookstore = try XCTUnwrap(set.file.first { $0.name == "demo/bookstore/v1/bookstore.proto" })
        XCTAssertEqual("\(bookstore.package).\(bookstore.service.first?.name ?? "")", DemoSchema.serviceName)
        XCTAssertTrue(bookstore.hasSourceCodeInfo)
        XCTAssertEqual(Base64Text.decode("aGVsbG8=\n"), Array("hello".utf8))
    }

    func testGatewaySchemaSeesEveryHTTPRuleShape() throws {
        var builder = SchemaBuilder()
        try builder.addDescriptorSet(DemoSchema.descriptorSet, origin: "demo")
        let schema = try builder.build()
        XCTAssertNotNil(schema.messages["google.rpc.BadRequest"])
        XCTAssertNotNil(schema.messages["google.rpc.Status"])

        func rules(_ method: String) throws -> [String] {
            let found = try XCTUnwrap(schema.methods["\(DemoSchema.serviceName).\(method)"], method)
            return found.httpRules.map { "\($0.httpMethod) \($0.pattern) body=\($0.body) response=\($0.responseBody)" }
        }
        XCTAssertEqual(
            try rules("GetBook"),
            ["GET /v1/shelves/{shelf}/books/{book} body= response=", "GET /v2/{name=shelves/*/books/*} body= response="]
        )
        XCTAssertEqual(try rules("CheckBook"), ["HEAD /v1/shelves/{shelf}/books/{book} body= response="])
        XCTAssertEqual(try rules("CreateShelf"), ["POST /v1/shelves body=* response="])
        XCTAssertEqual(try rules("CreateBook"), ["POST /v1/shelves/{shelf}/books body=book response="])
        XCTAssertEqual(try rules("UpdateBook"), ["PATCH /v1/{book.name=shelves/*/books/*} body=book response="])
        XCTAssertEqual(try rules("DeleteBook"), ["DELETE /v1/shelves/{shelf}/books/{book} body= response="])
        XCTAssertEqual(try rules("PublishBook"), ["POST /v1/{name=shelves/*/books/*}:publish body=* response="])
        XCTAssertEqual(try rules("LookupBook"), ["GET /v1/books:lookup body= response=book"])
        XCTAssertEqual(
            try rules("Fail"),
            ["GET /v1/debug/fail/{code} body= response=", "POST /v1/debug:fail body=* response="]
        )
        let stream = try XCTUnwrap(schema.methods["\(DemoSchema.serviceName).ListBooksStream"])
        XCTAssertTrue(stream.serverStreaming)
        let batch = try XCTUnwrap(schema.methods["\(DemoSchema.serviceName).CreateBooks"])
        XCTAssertTrue(batch.clientStreaming)
        let chat = try XCTUnwrap(schema.methods["\(DemoSchema.serviceName).ChatBooks"])
        XCTAssertTrue(chat.clientStreaming && chat.serverStreaming)
        XCTAssertEqual(try rules("ChatBooks"), ["POST /v1/books:chat body=* response="])
        XCTAssertEqual(try rules("UploadCover"), ["POST /v1/covers body=* response="])
        XCTAssertEqual(try rules("GetCover"), ["GET /v1/covers/{name} body= response="])
        XCTAssertEqual(try rules("Download"), ["GET /v1/download body= response="])
        XCTAssertEqual(schema.services[DemoSchema.serviceName]?.methods.count, 22)
    }
}
