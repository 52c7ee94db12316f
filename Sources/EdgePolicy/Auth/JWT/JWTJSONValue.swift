/// A JSON value from a token's header or claims set. Numbers keep their text, so a
/// claim forwarded as a header reads as the issuer wrote it (`1700000000`, not `1.7e9`).
public indirect enum JWTJSONValue: Sendable, Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JWTJSONValue])
    case object([String: JWTJSONValue])

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A number's value (NumericDate claims may be fractional).
    public var double: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    public var object: [String: JWTJSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The value at a dotted path (`realm.roles`): each segment names a member of an object.
    public func value(atPath path: Substring) -> JWTJSONValue? {
        var current = self
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let members) = current, let next = members[String(segment)] else { return nil }
            current = next
        }
        return current
    }

    /// As text for a header or a requirement: a string as is, a number as written,
    /// `true`/`false`, an array's scalars joined by commas; nil for null, objects and
    /// arrays holding anything but scalars.
    public var text: String? {
        switch self {
        case .string(let value): return value
        case .number(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .null, .object: return nil
        case .array(let items):
            var parts: [String] = []
            parts.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .string, .number, .bool: parts.append(item.text!)
                default: return nil
                }
            }
            return parts.joined(separator: ",")
        }
    }
}
