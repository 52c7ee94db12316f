import Foundation

/// Loads descriptor sources named on the command line or in the config into one ``Schema``.
///
/// A source is, in any mix:
/// - a binary `FileDescriptorSet` (`.pb`, `.protoset`, `.desc`, `.bin`, or any
///   file that is not `.proto`/`.yaml`/`.yml`);
/// - a `.proto` file, compiled with `protoc --include_imports`;
/// - a gRPC API configuration YAML (`type: google.api.Service`) whose
///   `http.rules` replace the `google.api.http` annotations of their selectors;
/// - a directory, walked recursively for all of the above (sorted, so loads
///   are deterministic); its `.proto` files are compiled together with the
///   directory as an import root.
///
/// `.proto` compilation searches, in order: `importPaths`, the directory of
/// the sources, the bundled `protos/` directory (google.api, google.rpc, grpc
/// health/reflection), and `/usr/include` when it holds `google/protobuf`.
///
/// Every problem is collected and thrown together as ``SchemaErrors``. When a
/// source cannot be read or compiled, the schema is not built (its
/// resolution errors would only echo the missing files).
public enum SchemaLoader {
    public static func load(sources: [String], importPaths: [String] = []) throws -> Schema {
        try load(sources: sources, importPaths: importPaths, protoc: ProtocCompiler())
    }

    /// As ``load(sources:importPaths:)``, with the `protoc` to run for `.proto` sources.
    public static func load(sources: [String], importPaths: [String] = [], protoc: ProtocCompiler) throws -> Schema {
        var builder = SchemaBuilder()
        var errors: [SchemaError] = []
        for source in sources {
            let items: [SchemaSource]
            do {
                items = try SchemaSource.discover(at: source)
            } catch {
                errors += Self.schemaErrors(error, location: source)
                continue
            }
            for item in items {
                do {
                    try add(item, to: &builder, importPaths: importPaths, protoc: protoc)
                } catch {
                    errors += Self.schemaErrors(error, location: source)
                }
            }
        }
        if !errors.isEmpty { throw SchemaErrors(errors: errors) }
        return try builder.build()
    }

    /// The bundled `protos/` directory, or `nil` if it cannot be found (see
    /// ``BundledProtos`` for where it is looked for; `EDGE_PROTOS_DIR` overrides).
    public static var bundledProtosDirectory: String? { BundledProtos.directory }

    /// A prebuilt descriptor set from `protos/descriptors/`: `google-api`,
    /// `google-rpc`, `grpc-health` or `grpc-reflection` (each includes its imports).
    public static func bundledDescriptorSet(_ name: String) -> String? {
        guard let directory = bundledProtosDirectory else { return nil }
        let path = "\(directory)/descriptors/\(name).protoset"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func add(
        _ item: SchemaSource, to builder: inout SchemaBuilder, importPaths: [String], protoc: ProtocCompiler
    ) throws {
        switch item {
        case .descriptorSet(let path):
            try builder.addDescriptorSet(try read(path), origin: path)
        case .serviceConfig(let path):
            let text = String(decoding: try read(path), as: UTF8.self)
            builder.addServiceConfig(try ServiceConfigParser.parse(yaml: text, file: path))
        case .protoFiles(let files, let root, let origin):
            let roots = compileImportPaths(for: files, directory: root, importPaths: importPaths)
            let bytes = try protoc.compile(files: files, importPaths: roots, origin: origin)
            try builder.addDescriptorSet(bytes, origin: origin)
        }
    }

    /// The `-I` list for one protoc run: the user's import paths; then the
    /// source directory, or for lone files the directory of each file; then
    /// the bundled protos and the system includes. A file or directory that
    /// already lies under one of the other import paths adds nothing, so its
    /// name is relative to that path (`protos/google/rpc/status.proto` is
    /// `google/rpc/status.proto`).
    static func compileImportPaths(for files: [String], directory: String?, importPaths: [String]) -> [String] {
        let user = importPaths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        var shared: [String] = []
        if let bundled = BundledProtos.directory { shared.append(bundled) }
        if FileManager.default.fileExists(atPath: "/usr/include/google/protobuf/descriptor.proto") {
            shared.append("/usr/include")
        }
        let known = user + shared
        let roots = directory.map { [$0] } ?? files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
        let own = roots.filter { root in !known.contains { isInside(root + "/", $0) } }
        var seen = Set<String>()
        return (user + own + shared).filter { seen.insert($0).inserted }
    }

    static func isInside(_ file: String, _ directory: String) -> Bool {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return file.hasPrefix(prefix)
    }

    private static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaError(location: path, message: "cannot read file")
        }
        return Array(data)
    }

    static func schemaErrors(_ error: Error, location: String) -> [SchemaError] {
        switch error {
        case let many as SchemaErrors: return many.errors
        case let one as SchemaError: return [one]
        default: return [SchemaError(location: location, message: "\(error)")]
        }
    }
}
