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

    /// The fixture schema's messages the transcoder targets pick from with the input's first byte.
    public static let edgetestMessages = [
        "edgetest.Everything", "edgetest.Scalars", "edgetest.Repeated", "edgetest.Optionals", "edgetest.Maps",
        "edgetest.Oneofs", "edgetest.WellKnown", "edgetest.Tree", "edgetest.CustomNames", "edgetest.legacy.Legacy",
        "google.protobuf.Value", "google.protobuf.Struct", "google.protobuf.Any", "google.protobuf.Timestamp",
        "google.protobuf.Duration", "google.protobuf.FieldMask",
    ]
}

/// A property the fuzzed code broke: prints what and traps, so libFuzzer saves the input as a crash.
public func fuzzRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        print("fuzz property violated: \(message())")
        fatalError(message())
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

/// A fuzz target's entry point: SwiftPM links an executable target with `main` aliased to
/// `<Target>_main`, which each target defines with `@_cdecl` and forwards here, to
/// libFuzzer's driver (which reads the usual libFuzzer flags from the command line).
public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, body)
}
