import DescriptorLoader
import Foundation
import EdgeUpstream

/// The schema the gateway serves: the configured descriptor sources plus the
/// bundled `google.rpc` types, so backend error details always render as JSON
/// with their `@type` even when no service proto imports them.
public enum GatewaySchema {
    public static func load(sources: [String], importPaths: [String] = []) throws -> Schema {
        let bundled = SchemaLoader.bundledDescriptorSet("google-rpc").map { [$0] } ?? []
        return try SchemaLoader.load(sources: bundled + sources, importPaths: importPaths)
    }

    /// As ``load(sources:importPaths:)``, plus the descriptors discovered by server
    /// reflection. A discovered copy of a file the bundled `google.api`/`google.rpc`
    /// sets define is replaced by the bundled one: servers built from other
    /// googleapis releases carry the same definitions with different file options.
    public static func load(sources: [String], importPaths: [String] = [], discovered: [DiscoveredSchema]) throws -> Schema {
        guard !discovered.isEmpty else { return try load(sources: sources, importPaths: importPaths) }
        var bundled: [String] = []
        var bundledNames = Set<String>()
        for name in ["google-rpc", "google-api"] {
            guard let path = SchemaLoader.bundledDescriptorSet(name), let data = FileManager.default.contents(atPath: path),
                let names = try? DescriptorFileSet.fileNames(ofSerializedSet: Array(data))
            else { continue }
            let used = name == "google-rpc" || discovered.contains { schema in names.contains { schema.files.contains($0) } }
            guard used else { continue }
            bundled.append(path)
            bundledNames.formUnion(names)
        }
        let sets = try discovered.map { schema in
            InMemoryDescriptorSet(
                bytes: try schema.files.serializedSet(excluding: bundledNames),
                origin: "reflection of cluster '\(schema.cluster)'")
        }
        return try SchemaLoader.load(sources: bundled + sources, importPaths: importPaths, descriptorSets: sets)
    }
}
