/// Which cluster serves a gRPC service, the one map for the configuration checks,
/// discovery and the upstream client: keys are full service names (`shop.v1.Catalog`)
/// or package prefixes (`shop.v1`, also written `shop.v1.*`); the longest key that
/// equals the service or is a dot-separated prefix of it wins. The key `*` matches
/// every service (a default cluster: the upstream client's own maps use it, the
/// configuration file cannot).
public struct ClusterMap: Sendable {
    /// Longest key first.
    private let entries: [(key: String, cluster: String)]
    private let fallback: String?

    /// The map a configuration's `clusters[].services` describe.
    public init(clusters: [EdgeConfig.Cluster]) {
        var map: [String: String] = [:]
        for cluster in clusters {
            for entry in cluster.services { map[Self.normalize(entry)] = cluster.name }
        }
        self.init(map)
    }

    /// - Parameter map: service name or package prefix (`*`: every service) → cluster name.
    public init(_ map: [String: String]) {
        self.fallback = map["*"]
        self.entries = map.filter { $0.key != "*" }.map { (key: Self.normalize($0.key), cluster: $0.value) }
            .sorted { $0.key.utf8.count > $1.key.utf8.count || ($0.key.utf8.count == $1.key.utf8.count && $0.key < $1.key) }
    }

    public func cluster(forService service: String) -> String? {
        for entry in self.entries {
            if service == entry.key { return entry.cluster }
            if service.utf8.count > entry.key.utf8.count, service.hasPrefix(entry.key),
                service.utf8[service.utf8.index(service.utf8.startIndex, offsetBy: entry.key.utf8.count)] == UInt8(ascii: ".")
            {
                return entry.cluster
            }
        }
        return self.fallback
    }

    /// The cluster names the map points at (to check that each exists).
    package var clusterNames: [String] { self.entries.map(\.cluster) + (self.fallback.map { [$0] } ?? []) }

    package static func normalize(_ entry: String) -> String {
        entry.hasSuffix(".*") ? String(entry.dropLast(2)) : entry
    }

    package static func isValidPattern(_ entry: String) -> Bool {
        let name = normalize(entry)
        guard !name.isEmpty else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }

    /// `pkg.Service.Method`, `pkg.Service/Method` or `/pkg.Service/Method` → `pkg.Service.Method`.
    package static func methodName(_ key: String) -> String? {
        var text = Substring(key)
        if text.hasPrefix("/") { text = text.dropFirst() }
        let name = String(text.map { $0 == "/" ? "." : $0 })
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, isValidPattern(name), text.filter({ $0 == "/" }).count <= 1 else { return nil }
        return name
    }
}
