import DescriptorLoader

/// The schema the gateway serves: the configured descriptor sources plus the
/// bundled `google.rpc` types, so backend error details always render as JSON
/// with their `@type` even when no service proto imports them.
public enum GatewaySchema {
    public static func load(sources: [String], importPaths: [String] = []) throws -> Schema {
        let bundled = SchemaLoader.bundledDescriptorSet("google-rpc").map { [$0] } ?? []
        return try SchemaLoader.load(sources: bundled + sources, importPaths: importPaths)
    }
}
