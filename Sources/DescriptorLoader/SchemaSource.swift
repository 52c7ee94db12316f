import Foundation

/// One thing the loader reads, after a user-named path has been classified.
///
/// A named file is classified by extension (`.proto`, `.yaml`/`.yml`; anything
/// else is taken for a binary `FileDescriptorSet`). A named directory is
/// walked recursively in sorted order; inside it only `.proto`, descriptor-set
/// (`.pb`, `.protoset`, `.desc`, `.bin`) and YAML files count, so READMEs and
/// build files can live next to them. All `.proto` files of a directory are
/// compiled together, with the directory as an import root.
enum SchemaSource: Equatable {
    case descriptorSet(path: String)
    /// `.proto` files to compile in one protoc run; `root` is the directory they were found in.
    case protoFiles(files: [String], root: String?, origin: String)
    case serviceConfig(path: String)

    static let descriptorSetExtensions: Set<String> = ["pb", "protoset", "desc", "bin"]
    static let serviceConfigExtensions: Set<String> = ["yaml", "yml"]

    /// Classifies `path`, expanding a directory into its contents.
    static func discover(at path: String) throws -> [SchemaSource] {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw SchemaError(location: path, message: "no such file or directory")
        }
        if !isDirectory.boolValue {
            switch URL(fileURLWithPath: absolute).pathExtension.lowercased() {
            case "proto": return [.protoFiles(files: [absolute], root: nil, origin: path)]
            case let ext where serviceConfigExtensions.contains(ext): return [.serviceConfig(path: absolute)]
            default: return [.descriptorSet(path: absolute)]
            }
        }

        var protos: [String] = []
        var others: [SchemaSource] = []
        for file in try files(under: absolute) {
            let ext = URL(fileURLWithPath: file).pathExtension.lowercased()
            if ext == "proto" {
                protos.append(file)
            } else if descriptorSetExtensions.contains(ext) {
                others.append(.descriptorSet(path: file))
            } else if serviceConfigExtensions.contains(ext) {
                others.append(.serviceConfig(path: file))
            }
        }
        if protos.isEmpty && others.isEmpty {
            throw SchemaError(
                location: path,
                message: "directory holds no .proto, descriptor set (.pb, .protoset, .desc, .bin) or .yaml service config")
        }
        let compiled: [SchemaSource] = protos.isEmpty ? [] : [.protoFiles(files: protos, root: absolute, origin: path)]
        return compiled + others
    }

    /// Every regular file below `directory`, skipping hidden entries, sorted by path.
    private static func files(under directory: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw SchemaError(location: directory, message: "cannot read directory")
        }
        var result: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = URL(fileURLWithPath: relative).lastPathComponent
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            let full = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(full)
            }
        }
        return result.sorted()
    }
}
