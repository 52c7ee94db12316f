/// Picks the certificate for a client's SNI name, as servers do: an exact DNS name
/// first, then a wildcard (`*.example.com` covers `a.example.com`, not
/// `a.b.example.com` nor `example.com`); no SNI or no match: the first certificate.
/// Built once per certificate set; a look-up is two dictionary reads.
public struct TLSServerNameMatcher: Sendable, Equatable {
    private var exact: [String: Int] = [:]
    /// `example.com` for `*.example.com`.
    private var wildcard: [String: Int] = [:]

    /// - Parameter names: each certificate's DNS names, in configuration order
    ///   (an earlier certificate wins a name two of them carry).
    public init(names: [[String]]) {
        for (index, list) in names.enumerated() {
            for name in list {
                let lower = name.lowercased()
                if lower.hasPrefix("*.") {
                    let parent = String(lower.dropFirst(2))
                    if wildcard[parent] == nil { wildcard[parent] = index }
                } else if exact[lower] == nil {
                    exact[lower] = index
                }
            }
        }
    }

    /// The index of the certificate to serve; 0 (the default) when nothing matches.
    public func certificateIndex(for serverName: String?) -> Int {
        guard var name = serverName?.lowercased(), !name.isEmpty else { return 0 }
        if name.hasSuffix(".") { name.removeLast() }
        if let index = exact[name] { return index }
        if let dot = name.firstIndex(of: "."), name.startIndex != dot {
            if let index = wildcard[String(name[name.index(after: dot)...])] { return index }
        }
        return 0
    }
}
