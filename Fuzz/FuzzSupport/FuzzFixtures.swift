import CFuzzDriver
import DescriptorLoader
import Transcoder

/// Where the fuzz targets find the repository's test fixtures, and the schemas they load once.
public enum FuzzFixtures {
    /// The repository root, from this file's place in it (Fuzz/FuzzSupport/).
    public static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// The transcoder's test schema: every field kind and well-known type.
    public static let edgetest: Schema = load(root + "/Tests/Fixtures/edgetest.protoset")

    /// The routing schema (Tests/Fixtures/protos/routing/library.proto), compiled by scripts/fuzz.sh
    /// into the path in EDGE_FUZZ_ROUTING (protoc is not run from inside a fuzz target).
    public static func load(_ path: String) -> Schema {
        do {
            return try SchemaLoader.load(sources: [path])
        } catch {
            fatalError("cannot load the fuzz schema \(path): \(error)")
        }
    }

    /// The transcoder both ways on the fixture schema.
    public static let edgetestReader = JSONToWire(schema: edgetest)
    public static let edgetestPrinter = WireToJSON(schema: edgetest)

    /// The fixture schema's messages the transcoder targets pick from with the input's first byte.
    public static let edgetestMessages = [
        "edgetest.Everything", "edgetest.Scalars", "edgetest.Repeated", "edgetest.Optionals", "edgetest.Maps",
        "edgetest.Oneofs", "edgetest.WellKnown", "edgetest.Tree", "edgetest.CustomNames", "edgetest.legacy.Legacy",
        "google.protobuf.Value", "google.protobuf.Struct", "google.protobuf.Any", "google.protobuf.Timestamp",
        "google.protobuf.Duration", "google.protobuf.FieldMask",
    ]

    /// The message type `byte` picks (its low bits: the caller masks off the bits it uses otherwise).
    public static func edgetestMessage(_ byte: UInt8) -> String {
        edgetestMessages[Int(byte) % edgetestMessages.count]
    }
}

/// A property the fuzzed code broke: prints what and traps, so libFuzzer saves the input as a crash.
public func fuzzRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fuzzFail(message()) }
}

public func fuzzFail(_ message: String) -> Never {
    print("fuzz property violated: \(message)")
    fatalError(message)
}

/// `body`'s value; its error (if it throws) is a property violation: `message` and the error.
public func fuzzMust<Value>(_ message: @autoclosure () -> String, _ body: () throws -> Value) -> Value {
    do {
        return try body()
    } catch {
        fuzzFail("\(message()): \(error)")
    }
}

/// Bytes as text for a failure message.
public func fuzzShow(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self) + " (hex " + bytes.map { String($0, radix: 16) }.joined(separator: " ") + ")"
}

#if canImport(Glibc)
import Glibc
#endif

extension FuzzFixtures {
    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
