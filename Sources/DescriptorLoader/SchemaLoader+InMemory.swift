/// A serialized `FileDescriptorSet` that is not on disk (e.g. assembled from a
/// backend's server reflection), with where it came from for error messages.
public struct InMemoryDescriptorSet: Sendable, Equatable {
    public var bytes: [UInt8]
    public var origin: String

    public init(bytes: [UInt8], origin: String) {
        self.bytes = bytes
        self.origin = origin
    }
}

extension SchemaLoader {
    /// As ``load(sources:importPaths:)``, with descriptor sets already in memory added
    /// after the named sources. Every problem of every input is collected.
    public static func load(sources: [String], importPaths: [String] = [], descriptorSets: [InMemoryDescriptorSet]) throws -> Schema {
        let protoc = ProtocCompiler()
        var builder = SchemaBuilder()
        var errors: [SchemaError] = []
        for source in sources {
            do {
                for item in try SchemaSource.discover(at: source) {
                    do {
                        try add(item, to: &builder, importPaths: importPaths, protoc: protoc)
                    } catch {
                        errors += schemaErrors(error, location: source)
                    }
                }
            } catch {
                errors += schemaErrors(error, location: source)
            }
        }
        for set in descriptorSets {
            do {
                try builder.addDescriptorSet(set.bytes, origin: set.origin)
            } catch {
                errors += schemaErrors(error, location: set.origin)
            }
        }
        if !errors.isEmpty { throw SchemaErrors(errors: errors) }
        return try builder.build()
    }
}
