/// A parsed `google.api.http` path template:
///
///     Template = "/" Segments [ Verb ] ;
///     Segments = Segment { "/" Segment } ;
///     Segment  = "*" | "**" | LITERAL | Variable ;
///     Variable = "{" FieldPath [ "=" Segments ] "}" ;
///     FieldPath = IDENT { "." IDENT } ;
///     Verb     = ":" LITERAL ;
///
/// Variables are flattened into the segment list (as Envoy's `HttpTemplate`
/// does): `/v1/{name=shelves/*}/books` has the segments `v1`, `shelves`, `*`,
/// `books` and one variable covering segments 1..<3. `{name}` is `{name=*}`.
/// `**` may only be the last segment (before the verb). The template `/`
/// (no segments) is accepted, as Envoy does.
public struct PathTemplate: Sendable, Equatable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable, Hashable {
        case literal(String)
        /// `*`: exactly one segment.
        case wildcard
        /// `**`: zero or more segments; only last.
        case multiWildcard
    }

    public struct Variable: Sendable, Equatable {
        /// The dotted field path, one element per identifier.
        public let fieldPath: [String]
        /// The segments the variable covers. If ``endsWithMultiWildcard``,
        /// the last covered segment is `**` and the variable extends to the
        /// end of the request path.
        public let segments: Range<Int>
        public let endsWithMultiWildcard: Bool

        /// A variable is decoded as a single segment only when it covers one
        /// segment that is not `**`.
        public var isMultiSegment: Bool { endsWithMultiWildcard || segments.count > 1 }
        public var fieldPathText: String { fieldPath.joined(separator: ".") }
    }

    /// The template text as written.
    public let text: String
    public let segments: [Segment]
    public let variables: [Variable]
    /// The custom verb without its `:`, if any.
    public let verb: String?

    public init(text: String, segments: [Segment], variables: [Variable], verb: String?) {
        self.text = text
        self.segments = segments
        self.variables = variables
        self.verb = verb
    }

    /// Parses a template; throws ``PathTemplateError`` with the position and reason.
    public init(parsing text: String) throws {
        var parser = PathTemplateParser(text)
        self = try parser.parse()
    }

    public var description: String { text }

    /// The template with variable names erased (`/v1/{name=shelves/*}` →
    /// `/v1/shelves/*`): two templates with the same shape match the same requests.
    public var shape: String {
        var text = ""
        for segment in segments {
            text += "/"
            switch segment {
            case .literal(let literal): text += literal
            case .wildcard: text += "*"
            case .multiWildcard: text += "**"
            }
        }
        if text.isEmpty { text = "/" }
        if let verb { text += ":" + verb }
        return text
    }
}
