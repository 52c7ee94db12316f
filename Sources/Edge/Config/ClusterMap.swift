/// Which cluster serves a gRPC service: an exact service name wins, then the
/// longest package prefix (`shop.v1` or `shop.v1.*` covers `shop.v1.Catalog`).
public struct ClusterMap: Sendable {
    private let exact: [String: String]
    private let prefixes: [(prefix: String, cluster: String)]

    public init(clusters: [EdgeConfig.Cluster]) {
        var exact: [String: String] = [:]
        var prefixes: [(prefix: String, cluster: String)] = []
        for cluster in clusters {
            for entry in cluster.services {
                let name = Self.normalize(entry)
                exact[name] = cluster.name
                prefixes.append((prefix: name + ".", cluster: cluster.name))
            }
        }
        self.exact = exact
        self.prefixes = prefixes.sorted { $0.prefix.count > $1.prefix.count }
    }

    public func cluster(forService service: String) -> String? {
        if let cluster = exact[service] { return cluster }
        return prefixes.first { service.hasPrefix($0.prefix) }?.cluster
    }

    static func normalize(_ entry: String) -> String {
        entry.hasSuffix(".*") ? String(entry.dropLast(2)) : entry
    }

    static func isValidPattern(_ entry: String) -> Bool {
        let name = normalize(entry)
        guard !name.isEmpty else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }

    /// `pkg.Service.Method`, `pkg.Service/Method` or `/pkg.Service/Method` → `pkg.Service.Method`.
    static func methodName(_ key: String) -> String? {
        var text = Substring(key)
        if text.hasPrefix("/") { text = text.dropFirst() }
        let name = String(text.map { $0 == "/" ? "." : $0 })
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, isValidPattern(name), text.filter({ $0 == "/" }).count <= 1 else { return nil }
        return name
    }
}
