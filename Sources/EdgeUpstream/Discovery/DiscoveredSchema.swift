import DescriptorLoader

/// What server reflection said about one cluster: its API services and the
/// descriptor files that define them (with every import).
public struct DiscoveredSchema: Sendable {
    public var cluster: String
    /// Fully qualified names, sorted; the reflection and health services left out.
    public var services: [String]
    public var files: DescriptorFileSet
    /// `grpc.reflection.v1` or `grpc.reflection.v1alpha`: the one that answered.
    public var reflectionVersion: String

    public init(cluster: String, services: [String], files: DescriptorFileSet, reflectionVersion: String) {
        self.cluster = cluster
        self.services = services
        self.files = files
        self.reflectionVersion = reflectionVersion
    }
}
