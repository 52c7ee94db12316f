/// A bounded map from bucket key to its state (two integers: a GCRA TAT, or a calendar window and
/// its count) that forgets the least recently used key when full, so a flood of distinct keys
/// cannot grow memory. Not thread-safe: ``LocalRateLimiter`` guards each table with its lock.
package struct LocalRateLimitTable {
    package struct State: Equatable {
        package var first: Int64
        package var second: Int64
    }

    private struct Node {
        var key: String
        var state: State
        var newer: Int
        var older: Int
    }

    package let capacity: Int
    private var index: [String: Int] = [:]
    private var nodes: [Node] = []
    private var newest = -1
    private var oldest = -1

    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    package var count: Int { index.count }

    /// The key's state, and marks it as just used.
    package mutating func get(_ key: String) -> State? {
        guard let slot = index[key] else { return nil }
        touch(slot)
        return nodes[slot].state
    }

    package mutating func set(_ key: String, _ state: State) {
        if let slot = index[key] {
            nodes[slot].state = state
            touch(slot)
            return
        }
        let slot: Int
        if nodes.count < capacity {
            slot = nodes.count
            nodes.append(Node(key: key, state: state, newer: -1, older: -1))
        } else {
            slot = oldest
            unlink(slot)
            index[nodes[slot].key] = nil
            nodes[slot] = Node(key: key, state: state, newer: -1, older: -1)
        }
        index[key] = slot
        pushNewest(slot)
    }

    private mutating func touch(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        pushNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let node = nodes[slot]
        if node.newer >= 0 { nodes[node.newer].older = node.older } else { newest = node.older }
        if node.older >= 0 { nodes[node.older].newer = node.newer } else { oldest = node.newer }
        nodes[slot].newer = -1
        nodes[slot].older = -1
    }

    private mutating func pushNewest(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = -1
        if newest >= 0 { nodes[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
