import Foundation
import NIOCore
import Yams

/// Typed reads from a YAML node tree that never stop at the first mistake:
/// each bad value is recorded as a ``ConfigProblem`` with its key path and line,
/// and the read returns `nil` so that validation goes on.
package struct ConfigReader {
    package private(set) var problems: [ConfigProblem] = []

    package mutating func report(_ path: String, _ node: Node?, _ message: String) {
        problems.append(ConfigProblem(path: path, line: node?.mark.map { $0.line }, message: message))
    }

    package static func child(_ path: String, _ key: String) -> String {
        let plain = key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if plain { return path.isEmpty ? key : path + "." + key }
        return path + "[\"" + key + "\"]"
    }

    package static func index(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }

    /// A mapping's entries (string keys), reporting keys not in `allowed` (typos must not pass silently).
    package mutating func mapping(_ node: Node, _ path: String, allowed: Set<String>? = nil) -> [(key: String, value: Node)]? {
        guard let mapping = node.mapping else {
            report(path, node, "expected a mapping, got \(Self.kind(of: node))")
            return nil
        }
        var entries: [(key: String, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                report(path, keyNode, "keys must be strings")
                continue
            }
            if !seen.insert(key).inserted {
                report(Self.child(path, key), keyNode, "duplicate key")
                continue
            }
            if let allowed, !allowed.contains(key) {
                let known = allowed.sorted().joined(separator: ", ")
                report(Self.child(path, key), keyNode, "unknown key '\(key)' (expected one of: \(known))")
                continue
            }
            entries.append((key, value))
        }
        return entries
    }

    package mutating func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(path, node, "expected a list, got \(Self.kind(of: node))")
            return nil
        }
        return Array(sequence)
    }

    package mutating func string(_ node: Node, _ path: String, allowEmpty: Bool = false) -> String? {
        guard case .scalar(let scalar) = node, node.null == nil || scalar.style != .plain else {
            report(path, node, "expected a string, got \(Self.kind(of: node))")
            return nil
        }
        if !allowEmpty, scalar.string.isEmpty {
            report(path, node, "must not be empty")
            return nil
        }
        return scalar.string
    }

    package mutating func int(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            report(path, node, "expected an integer, got \(Self.describe(node))")
            return nil
        }
        return checked(value, in: range, path, node)
    }

    /// Byte sizes: an integer, or a number with `KiB`, `MiB`, `GiB`, `KB`, `MB`, `GB`.
    package mutating func bytes(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node else {
            report(path, node, "expected a size in bytes, got \(Self.kind(of: node))")
            return nil
        }
        let text = scalar.string.replacingSpaces()
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)]
        var value = Int(text)
        if value == nil {
            for (suffix, scale) in units where text.hasSuffix(suffix) {
                if let number = Int(text.dropLast(suffix.count)) {
                    value = number.multipliedReportingOverflow(by: scale).overflow ? nil : number * scale
                }
                break
            }
        }
        guard let value else {
            report(path, node, "expected a size in bytes (e.g. 16384, 64KiB, 4MiB), got \(Self.describe(node))")
            return nil
        }
        return checked(value, in: range, path, node, unit: " bytes")
    }

    package mutating func double(_ node: Node, _ path: String, in range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            report(path, node, "expected a number, got \(Self.describe(node))")
            return nil
        }
        return checked(value, in: range, path, node, written: scalar.string)
    }

    /// `value` when `range` holds it; otherwise `nil`, reported as "must be between 1 and 10, got 12":
    /// `unit` after the upper bound (" bytes"), the value as `written` in the file when given.
    private mutating func checked<Value: Comparable & CustomStringConvertible>(
        _ value: Value, in range: ClosedRange<Value>, _ path: String, _ node: Node, unit: String = "", written: String? = nil
    ) -> Value? {
        guard range.contains(value) else {
            report(path, node, "must be between \(range.lowerBound) and \(range.upperBound)\(unit), got \(written ?? value.description)")
            return nil
        }
        return value
    }

    package mutating func bool(_ node: Node, _ path: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            report(path, node, "expected true or false, got \(Self.describe(node))")
            return nil
        }
        return value
    }

    package mutating func duration(_ node: Node, _ path: String, positive: Bool = true) -> TimeAmount? {
        guard case .scalar(let scalar) = node, let value = ConfigDuration.parse(scalar.string) else {
            report(path, node, "expected a duration like 250ms, 1.5s, 2m or 1h, got \(Self.describe(node))")
            return nil
        }
        if positive, value.nanoseconds <= 0 {
            report(path, node, "must be greater than zero")
            return nil
        }
        return value
    }

    package mutating func strings(_ node: Node, _ path: String) -> [String]? {
        guard let items = sequence(node, path) else { return nil }
        var values: [String] = []
        for (index, item) in items.enumerated() {
            if let value = string(item, Self.index(path, index)) { values.append(value) }
        }
        return values
    }

    package static func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return node.null != nil && scalar.style == .plain ? "nothing" : "'\(scalar.string)'"
        case .alias: return "an alias"
        }
    }

    package static func describe(_ node: Node) -> String { kind(of: node) }
}

extension String {
    package func replacingSpaces() -> String { String(filter { $0 != " " }) }
}
