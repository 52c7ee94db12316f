import XCTest
@testable import DescriptorLoader

/// Descriptor sets made by the real protoc load with every field property resolved.
final class DescriptorSetLoadingTests: XCTestCase {
    static let shop = """
        syntax = "proto3";
        package shop.v1;
        import "google/api/annotations.proto";

        message Item {
          string item_id = 1;
          string display = 2 [json_name = "label"];
          optional int32 rank = 3;
          repeated int32 scores = 4;
          repeated int32 loose = 5 [packed = false];
          map<string, Item> children = 6;
          oneof choice { string a = 7; int64 b = 8; }
          Kind kind = 9;
          enum Kind { KIND_UNSPECIFIED = 0; KIND_BIG = 1; }
        }
        message GetItemRequest { string item_id = 1; }
        message UpdateItemRequest { string item_id = 1; Item item = 2; }

        service Shop {
          rpc GetItem(GetItemRequest) returns (Item) {
            option idempotency_level = NO_SIDE_EFFECTS;
            option (google.api.http) = {
              get: "/v1/items/{item_id}"
              additional_bindings { get: "/v1/things/{item_id}" }
              additional_bindings { custom { kind: "head" path: "/v1/items/{item_id}" } }
            };
          }
          rpc UpdateItem(UpdateItemRequest) returns (Item) {
            option idempotency_level = IDEMPOTENT;
            option (google.api.http) = { patch: "/v1/items/{item_id}" body: "item" response_body: "display" };
          }
          rpc Watch(GetItemRequest) returns (stream Item);
          rpc Upload(stream Item) returns (Item);
          rpc Chat(stream Item) returns (stream Item);
        }
        """

    static let legacy = """
        syntax = "proto2";
        package shop.legacy;
        message Old {
          required string id = 1;
          optional int32 count = 2 [default = 7];
          optional string name = 3 [default = "none"];
          repeated int32 values = 4;
          repeated int32 packed_values = 5 [packed = true];
          optional Level level = 6 [default = HIGH];
        }
        enum Level { LOW = 1; HIGH = 2; }
        """

    func load() throws -> Schema {
        let workspace = try ProtoWorkspace()
        try workspace.write("shop/v1/shop.proto", Self.shop)
        try workspace.write("shop/legacy/old.proto", Self.legacy)
        let set = try workspace.descriptorSet(
            "shop.protoset", from: ["shop/v1/shop.proto", "shop/legacy/old.proto"])
        return try SchemaLoader.load(sources: [set])
    }

    func testJSONNames() throws {
        let item = try XCTUnwrap(load().message("shop.v1.Item"))
        XCTAssertEqual(item.field(named: "item_id")?.jsonName, "itemId")
        XCTAssertEqual(item.field(named: "display")?.jsonName, "label")
        XCTAssertEqual(item.field(named: "label")?.name, "display")
    }

    func testProto3OptionalIsPresenceNotOneof() throws {
        let item = try XCTUnwrap(load().message("shop.v1.Item"))
        let rank = try XCTUnwrap(item.field(named: "rank"))
        XCTAssertTrue(rank.isProto3Optional)
        XCTAssertTrue(rank.hasPresence)
        XCTAssertNil(rank.oneofIndex)
        XCTAssertEqual(item.oneofs, ["choice"])
        XCTAssertEqual(item.field(named: "a")?.oneofIndex, 0)
        XCTAssertEqual(item.field(named: "b")?.hasPresence, true)
        XCTAssertEqual(item.field(named: "item_id")?.hasPresence, false)
    }

    func testProto2DefaultsRequiredAndClosedEnums() throws {
        let schema = try load()
        let old = try XCTUnwrap(schema.message("shop.legacy.Old"))
        XCTAssertEqual(old.syntax, .proto2)
        XCTAssertEqual(old.field(named: "id")?.cardinality, .required)
        XCTAssertEqual(old.field(named: "count")?.defaultValue, "7")
        XCTAssertEqual(old.field(named: "name")?.defaultValue, "none")
        XCTAssertEqual(old.field(named: "level")?.defaultValue, "HIGH")
        XCTAssertEqual(old.field(named: "level")?.typeName, "shop.legacy.Level")
        XCTAssertEqual(old.field(named: "count")?.hasPresence, true)
        XCTAssertEqual(schema.enumType("shop.legacy.Level")?.isClosed, true)
        XCTAssertEqual(schema.enumType("shop.v1.Item.Kind")?.isClosed, false)
    }

    func testPacked() throws {
        let schema = try load()
        let item = try XCTUnwrap(schema.message("shop.v1.Item"))
        XCTAssertEqual(item.field(named: "scores")?.isPacked, true, "proto3 repeated scalars default to packed")
        XCTAssertEqual(item.field(named: "loose")?.isPacked, false)
        let old = try XCTUnwrap(schema.message("shop.legacy.Old"))
        XCTAssertEqual(old.field(named: "values")?.isPacked, false, "proto2 repeated scalars default to unpacked")
        XCTAssertEqual(old.field(named: "packed_values")?.isPacked, true)
    }

    func testMapEntries() throws {
        let schema = try load()
        let children = try XCTUnwrap(schema.message("shop.v1.Item")?.field(named: "children"))
        XCTAssertTrue(children.isMap)
        XCTAssertEqual(children.mapEntryTypeName, "shop.v1.Item.ChildrenEntry")
        let entry = try XCTUnwrap(schema.message("shop.v1.Item.ChildrenEntry"))
        XCTAssertTrue(entry.isMapEntry)
        XCTAssertEqual(entry.field(number: 1)?.type, .string)
        XCTAssertEqual(entry.field(number: 2)?.typeName, "shop.v1.Item")
    }

    func testStreamingFlagsAndIdempotency() throws {
        let methods = try load().methods
        let get = try XCTUnwrap(methods["shop.v1.Shop.GetItem"])
        XCTAssertEqual(get.idempotencyLevel, .noSideEffects)
        XCTAssertFalse(get.clientStreaming || get.serverStreaming)
        XCTAssertEqual(methods["shop.v1.Shop.UpdateItem"]?.idempotencyLevel, .idempotent)
        XCTAssertEqual(methods["shop.v1.Shop.Watch"]?.idempotencyLevel, .unknown)
        XCTAssertEqual(methods["shop.v1.Shop.Watch"].map { [$0.clientStreaming, $0.serverStreaming] }, [false, true])
        XCTAssertEqual(methods["shop.v1.Shop.Upload"].map { [$0.clientStreaming, $0.serverStreaming] }, [true, false])
        XCTAssertEqual(methods["shop.v1.Shop.Chat"].map { [$0.clientStreaming, $0.serverStreaming] }, [true, true])
        XCTAssertEqual(get.grpcPath, "/shop.v1.Shop/GetItem")
    }

    func testHTTPAnnotationsWithAdditionalAndCustomBindings() throws {
        let schema = try load()
        let get = try XCTUnwrap(schema.methods["shop.v1.Shop.GetItem"])
        XCTAssertEqual(get.httpRules.map(\.httpMethod), ["GET", "GET", "HEAD"])
        XCTAssertEqual(get.httpRules.map(\.pattern), ["/v1/items/{item_id}", "/v1/things/{item_id}", "/v1/items/{item_id}"])
        XCTAssertEqual(get.httpRules.first?.origin, .annotation(file: "shop/v1/shop.proto"))
        let update = try XCTUnwrap(schema.methods["shop.v1.Shop.UpdateItem"]?.httpRules.first)
        XCTAssertEqual(update.httpMethod, "PATCH")
        XCTAssertEqual(update.body, "item")
        XCTAssertEqual(update.responseBody, "display")
        XCTAssertEqual(schema.methods["shop.v1.Shop.Watch"]?.httpRules, [])
    }

    func testNotADescriptorSet() throws {
        let workspace = try ProtoWorkspace()
        let junk = try workspace.write("api.bin", Data([0xFF, 0xFF, 0xFF]))
        assertError(loadErrors([junk]), contains: "api.bin", "not a valid FileDescriptorSet")
    }

    func testMissingSource() throws {
        assertError(loadErrors(["/nonexistent/api.pb"]), contains: "/nonexistent/api.pb", "no such file or directory")
    }
}
