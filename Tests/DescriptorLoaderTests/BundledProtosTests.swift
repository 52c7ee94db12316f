import Foundation
import XCTest
@testable import DescriptorLoader

/// The protos/ directory shipped with edge is found and its prebuilt
/// descriptor sets load and match the .proto files.
final class BundledProtosTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func testFoundFromTheTestBinaryOrSources() throws {
        let directory = try XCTUnwrap(SchemaLoader.bundledProtosDirectory)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/google/rpc/status.proto"))
    }

    func testLocationOrder() throws {
        let workspace = try ProtoWorkspace()
        try workspace.write("custom/google/api/annotations.proto", "")
        try workspace.write("prefix/share/edge/protos/google/api/annotations.proto", "")
        let source = Self.packageRoot + "/Sources/DescriptorLoader/BundledProtos.swift"
        XCTAssertEqual(
            BundledProtos.locate(environment: ["EDGE_PROTOS_DIR": workspace.path("custom")], executables: [], sourceFile: source),
            workspace.path("custom"))
        XCTAssertEqual(
            BundledProtos.locate(environment: [:], executables: [workspace.path("prefix/bin/edge")], sourceFile: source),
            workspace.path("prefix/share/edge/protos"))
        // .build/debug/edge (as invoked) and .build/<triple>/debug/edge (resolved).
        XCTAssertEqual(
            BundledProtos.locate(environment: [:], executables: [Self.packageRoot + "/.build/debug/edge"], sourceFile: "/nowhere/a/b/c.swift"),
            Self.packageRoot + "/protos")
        XCTAssertEqual(
            BundledProtos.locate(
                environment: [:], executables: [Self.packageRoot + "/.build/x86_64-unknown-linux-gnu/release/edge"],
                sourceFile: "/nowhere/a/b/c.swift"),
            Self.packageRoot + "/protos")
        XCTAssertEqual(BundledProtos.locate(environment: [:], executables: [], sourceFile: source), Self.packageRoot + "/protos")
        XCTAssertNil(BundledProtos.locate(environment: ["EDGE_PROTOS_DIR": "/nonexistent"], executables: [], sourceFile: "/nowhere/a/b/c.swift"))
    }

    func testPrebuiltDescriptorSetsLoad() throws {
        let rpc = try XCTUnwrap(SchemaLoader.bundledDescriptorSet("google-rpc"))
        let api = try XCTUnwrap(SchemaLoader.bundledDescriptorSet("google-api"))
        let health = try XCTUnwrap(SchemaLoader.bundledDescriptorSet("grpc-health"))
        let reflection = try XCTUnwrap(SchemaLoader.bundledDescriptorSet("grpc-reflection"))
        XCTAssertNil(SchemaLoader.bundledDescriptorSet("nope"))
        let noProtoc = ProtocCompiler(environment: ["PATH": "/nonexistent"])
        let schema = try SchemaLoader.load(sources: [rpc, api, health, reflection], protoc: noProtoc)
        XCTAssertEqual(schema.message("google.rpc.Status")?.field(named: "details")?.typeName, "google.protobuf.Any")
        XCTAssertEqual(schema.enumType("google.rpc.Code")?.number(for: "UNAUTHENTICATED"), 16)
        XCTAssertEqual(schema.message("google.rpc.BadRequest.FieldViolation")?.field(named: "localized_message")?.typeName, "google.rpc.LocalizedMessage")
        XCTAssertEqual(schema.message("google.rpc.RetryInfo")?.field(named: "retry_delay")?.typeName, "google.protobuf.Duration")
        XCTAssertNotNil(schema.message("google.api.HttpBody"))
        XCTAssertNotNil(schema.message("google.api.HttpRule"))
        XCTAssertEqual(schema.methods["grpc.health.v1.Health.Watch"]?.serverStreaming, true)
        let info = try XCTUnwrap(schema.methods["grpc.reflection.v1.ServerReflection.ServerReflectionInfo"])
        XCTAssertTrue(info.clientStreaming && info.serverStreaming)
    }

    /// The committed descriptor sets are what scripts/build-protosets.sh makes
    /// from the committed .proto files (same definitions, compared as loaded).
    func testPrebuiltSetsMatchTheProtoFiles() throws {
        let directory = try XCTUnwrap(SchemaLoader.bundledProtosDirectory)
        let groups = [
            "google-api": [
                "google/api/annotations.proto", "google/api/http.proto", "google/api/httpbody.proto", "google/api/field_behavior.proto",
            ],
            "google-rpc": ["google/rpc/status.proto", "google/rpc/code.proto", "google/rpc/error_details.proto"],
            "grpc-health": ["grpc/health/v1/health.proto"],
            "grpc-reflection": ["grpc/reflection/v1/reflection.proto"],
        ]
        for (name, files) in groups {
            let prebuilt = try SchemaLoader.load(sources: [try XCTUnwrap(SchemaLoader.bundledDescriptorSet(name))])
            let compiled = try SchemaLoader.load(sources: files.map { directory + "/" + $0 })
            XCTAssertEqual(Set(prebuilt.messages.keys), Set(compiled.messages.keys), name)
            XCTAssertEqual(Set(prebuilt.methods.keys), Set(compiled.methods.keys), name)
            XCTAssertEqual(prebuilt.files, compiled.files, name)
            for (key, message) in compiled.messages {
                XCTAssertEqual(prebuilt.messages[key]?.fields.map(\.name), message.fields.map(\.name), "\(name): \(key)")
            }
        }
    }
}
