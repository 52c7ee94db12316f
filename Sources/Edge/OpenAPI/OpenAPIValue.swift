/// A JSON value with ordered object members: the OpenAPI document is built as one
/// of these at load time, then written as JSON (``OpenAPIJSONWriter``) and YAML
/// (``OpenAPIYAMLWriter``). Member order is kept so the document reads in a
/// sensible order (`openapi`, `info`, `paths`, …) and is byte-for-byte stable.
public indirect enum OpenAPIValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([OpenAPIValue])
    case object([(String, OpenAPIValue)])

    public static func == (lhs: OpenAPIValue, rhs: OpenAPIValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member `key` of an object, or nil.
    public subscript(_ key: String) -> OpenAPIValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// Builds an object member by member, skipping absent values.
package struct OpenAPIObject {
    package private(set) var members: [(String, OpenAPIValue)] = []

    package init() {}

    package init(_ members: [(String, OpenAPIValue)]) {
        self.members = members
    }

    package mutating func set(_ key: String, _ value: OpenAPIValue?) {
        guard let value else { return }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
    }

    package mutating func set(_ key: String, _ text: String?) {
        set(key, text.map(OpenAPIValue.string))
    }

    /// Sets `key` to `true` only when `flag` is; `false` is the default and left out.
    package mutating func flag(_ key: String, _ flag: Bool) {
        if flag { set(key, .bool(true)) }
    }

    package var isEmpty: Bool { members.isEmpty }
    package func contains(_ key: String) -> Bool { members.contains { $0.0 == key } }

    package var value: OpenAPIValue { .object(members) }
}
