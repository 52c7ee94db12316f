/// The compiled path matcher: a trie over template segments, built once and
/// read-only afterwards, with HTTP methods and verbs at the leaves.
///
/// Precedence does not depend on registration order: at every segment a
/// literal child is tried before `*`, and `*` before `**`, backtracking when a
/// branch leads nowhere. So the first route found is the most specific one
/// (compared segment by segment from the left), as in Envoy's path matcher.
struct RouteTrie: Sendable {
    struct Leaf: Sendable {
        /// The verb without `:`, or nil.
        let verb: [UInt8]?
        let httpMethod: String
        let route: Int
    }

    struct Node: Sendable {
        var literalKeys: [[UInt8]] = []
        var literalChildren: [Int] = []
        /// Open-addressing table over ``literalKeys`` (indices, -1 for empty);
        /// only for nodes with many literal children.
        var slots: [Int32] = []
        var wildcard = -1
        var multiWildcard = -1
        var leaves: [Leaf] = []
    }

    /// The request path split into segments: byte offsets `[start, end)` into the path.
    struct Segments {
        let path: UnsafeBufferPointer<UInt8>
        let bounds: UnsafeMutableBufferPointer<Int>
        var count: Int

        func segment(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: path[bounds[2 * i]..<bounds[2 * i + 1]])
        }
    }

    enum Lookup {
        case found(Int)
        /// Path matched, but not for this method; the methods that would match.
        case wrongMethod([String])
        case none
    }

    private(set) var nodes: [Node] = [Node()]
    /// Every verb some template uses: a request's `:suffix` is only split off as a verb if listed here.
    private(set) var verbs: [[UInt8]] = []

    static let hashThreshold = 8

    /// Adds a route; returns the index of a route already claiming the same
    /// method, template shape and verb instead (nothing is inserted then).
    mutating func insert(_ template: PathTemplate, httpMethod: String, route: Int) -> Int? {
        var node = 0
        for segment in template.segments {
            switch segment {
            case .literal(let literal):
                let key = Array(literal.utf8)
                if let index = nodes[node].literalKeys.firstIndex(of: key) {
                    node = nodes[node].literalChildren[index]
                } else {
                    nodes.append(Node())
                    nodes[node].literalKeys.append(key)
                    nodes[node].literalChildren.append(nodes.count - 1)
                    node = nodes.count - 1
                }
            case .wildcard:
                if nodes[node].wildcard < 0 {
                    nodes.append(Node())
                    nodes[node].wildcard = nodes.count - 1
                }
                node = nodes[node].wildcard
            case .multiWildcard:
                if nodes[node].multiWildcard < 0 {
                    nodes.append(Node())
                    nodes[node].multiWildcard = nodes.count - 1
                }
                node = nodes[node].multiWildcard
            }
        }
        let verb = template.verb.map { Array($0.utf8) }
        if let existing = nodes[node].leaves.first(where: { $0.verb == verb && $0.httpMethod == httpMethod }) {
            return existing.route
        }
        nodes[node].leaves.append(Leaf(verb: verb, httpMethod: httpMethod, route: route))
        if let verb, !verbs.contains(verb) { verbs.append(verb) }
        return nil
    }

    /// Builds the hash tables of nodes with many literal children.
    mutating func finish() {
        for index in nodes.indices where nodes[index].literalKeys.count > Self.hashThreshold {
            var size = 16
            while size < nodes[index].literalKeys.count * 2 { size <<= 1 }
            var slots = [Int32](repeating: -1, count: size)
            for (i, key) in nodes[index].literalKeys.enumerated() {
                var slot = key.withUnsafeBufferPointer { Self.hash($0) } & (size - 1)
                while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
                slots[slot] = Int32(i)
            }
            nodes[index].slots = slots
        }
    }

    /// Whether `verb` is used by some template.
    func isVerb(_ verb: UnsafeBufferPointer<UInt8>) -> Bool {
        for candidate in verbs where candidate.count == verb.count {
            if candidate.withUnsafeBufferPointer({ Self.equal($0, verb) }) { return true }
        }
        return false
    }

    /// Finds the most specific route for the segments, method and verb.
    func lookup(_ segments: Segments, httpMethod: String, verb: UnsafeBufferPointer<UInt8>?) -> Lookup {
        var allowed: [String] = []
        if let route = search(node: 0, index: 0, segments, httpMethod, verb, &allowed) {
            return .found(route)
        }
        return allowed.isEmpty ? .none : .wrongMethod(allowed)
    }

    private func search(
        node nodeIndex: Int, index: Int, _ segments: Segments, _ httpMethod: String,
        _ verb: UnsafeBufferPointer<UInt8>?, _ allowed: inout [String]
    ) -> Int? {
        if index == segments.count {
            if let route = leaf(nodeIndex, httpMethod, verb, &allowed) { return route }
            // `**` also matches zero segments.
            let multi = nodes[nodeIndex].multiWildcard
            if multi >= 0 { return leaf(multi, httpMethod, verb, &allowed) }
            return nil
        }
        let literal = literalChild(nodeIndex, segments.segment(index))
        if literal >= 0, let route = search(node: literal, index: index + 1, segments, httpMethod, verb, &allowed) {
            return route
        }
        let wildcard = nodes[nodeIndex].wildcard
        if wildcard >= 0, let route = search(node: wildcard, index: index + 1, segments, httpMethod, verb, &allowed) {
            return route
        }
        let multi = nodes[nodeIndex].multiWildcard
        if multi >= 0 { return leaf(multi, httpMethod, verb, &allowed) }
        return nil
    }

    private func leaf(
        _ nodeIndex: Int, _ httpMethod: String, _ verb: UnsafeBufferPointer<UInt8>?, _ allowed: inout [String]
    ) -> Int? {
        for leaf in nodes[nodeIndex].leaves {
            let verbMatches: Bool
            switch (leaf.verb, verb) {
            case (nil, nil): verbMatches = true
            case (let a?, let b?): verbMatches = a.withUnsafeBufferPointer { Self.equal($0, b) }
            default: verbMatches = false
            }
            guard verbMatches else { continue }
            if leaf.httpMethod == httpMethod { return leaf.route }
            if !allowed.contains(leaf.httpMethod) { allowed.append(leaf.httpMethod) }
        }
        return nil
    }

    private func literalChild(_ nodeIndex: Int, _ segment: UnsafeBufferPointer<UInt8>) -> Int {
        nodes.withUnsafeBufferPointer { nodes in
            let keys = nodes[nodeIndex].literalKeys
            if keys.isEmpty { return -1 }
            let slots = nodes[nodeIndex].slots
            if slots.isEmpty {
                for i in keys.indices where keys[i].count == segment.count {
                    if keys[i].withUnsafeBufferPointer({ Self.equal($0, segment) }) { return nodes[nodeIndex].literalChildren[i] }
                }
                return -1
            }
            let mask = slots.count - 1
            var slot = Self.hash(segment) & mask
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { return -1 }
                if keys[entry].count == segment.count && keys[entry].withUnsafeBufferPointer({ Self.equal($0, segment) }) {
                    return nodes[nodeIndex].literalChildren[entry]
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// FNV-1a.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var i = 0
        while i < a.count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}
