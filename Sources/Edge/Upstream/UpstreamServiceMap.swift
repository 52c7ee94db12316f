/// Picks the cluster for a fully qualified service name.
///
/// Keys are full service names (`pkg.v1.Service`) or package prefixes (`pkg`, `pkg.v1`);
/// the longest key that equals the service or is a dot-separated prefix of it wins.
/// The key `*` matches every service (the default cluster).
struct UpstreamServiceMap: Sendable {
    private let entries: [(key: String, cluster: String)]
    private let fallback: String?

    init(_ map: [String: String]) {
        self.fallback = map["*"]
        self.entries = map.filter { $0.key != "*" }.map { (key: $0.key, cluster: $0.value) }.sorted { $0.key.utf8.count > $1.key.utf8.count }
    }

    func cluster(forService service: String) -> String? {
        for entry in self.entries {
            if service == entry.key {
                return entry.cluster
            }
            if service.utf8.count > entry.key.utf8.count, service.hasPrefix(entry.key),
                service.utf8[service.utf8.index(service.utf8.startIndex, offsetBy: entry.key.utf8.count)] == UInt8(ascii: ".")
            {
                return entry.cluster
            }
        }
        return self.fallback
    }
}
