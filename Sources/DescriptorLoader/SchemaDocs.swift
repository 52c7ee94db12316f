/// What the descriptors say about their elements for people, not for the wire:
/// comments (when the descriptors carry source info), `deprecated` options and
/// `google.api.field_behavior`. Read by the OpenAPI generator; the transcoder
/// never looks at it.
public struct SchemaDocs: Sendable {
    /// An element of the schema, by full name.
    public enum Element: Hashable, Sendable {
        case message(String)
        /// Message full name and the field's proto name.
        case field(message: String, name: String)
        case enumType(String)
        /// Enum full name and the value's name.
        case enumValue(enum: String, name: String)
        case service(String)
        /// `pkg.Service.Method`
        case method(String)
    }

    /// `google.api.FieldBehavior` values the document uses.
    public enum FieldBehavior: Int32, Sendable {
        case optional = 1
        case required = 2
        case outputOnly = 3
        case inputOnly = 4
        case immutable = 5
    }

    public struct Entry: Sendable, Equatable {
        /// The leading comment, or else the trailing one, trimmed; nil when there is none.
        public var comment: String?
        public var deprecated: Bool
        public var fieldBehavior: [FieldBehavior]

        public init(comment: String? = nil, deprecated: Bool = false, fieldBehavior: [FieldBehavior] = []) {
            self.comment = comment
            self.deprecated = deprecated
            self.fieldBehavior = fieldBehavior
        }
    }

    public private(set) var entries: [Element: Entry]

    public init(entries: [Element: Entry] = [:]) {
        self.entries = entries
    }

    public subscript(_ element: Element) -> Entry {
        entries[element] ?? Entry()
    }

    public func comment(_ element: Element) -> String? { entries[element]?.comment }
    public func isDeprecated(_ element: Element) -> Bool { entries[element]?.deprecated ?? false }
    public func fieldBehavior(message: String, field: String) -> [FieldBehavior] {
        entries[.field(message: message, name: field)]?.fieldBehavior ?? []
    }

    mutating func merge(_ other: [Element: Entry]) {
        entries.merge(other) { first, _ in first }
    }
}
