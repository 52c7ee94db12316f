import Foundation

/// Loads descriptor sources named on the command line or in the config into one ``Schema``.
///
/// A source is a binary `FileDescriptorSet` (`.pb`, `.protoset`, `.desc`, `.bin`).
public enum SchemaLoader {
    public static func load(sources: [String], importPaths: [String] = []) throws -> Schema {
        var builder = SchemaBuilder()
        for source in sources {
            guard let data = FileManager.default.contents(atPath: source) else {
                throw SchemaError(location: source, message: "cannot read file")
            }
            try builder.addDescriptorSet(Array(data), origin: source)
        }
        return try builder.build()
    }
}
