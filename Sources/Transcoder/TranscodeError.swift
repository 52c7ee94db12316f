/// Why a conversion (JSON → wire, wire → JSON, or request binding) was refused.
///
/// Carries the JSON path of the offending value (`variants[2].stock`) so that
/// the edge can answer with a `google.rpc.Status` that names the field. The
/// path is only materialised when an error is thrown: the happy path pays nothing.
public struct TranscodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input is not well-formed JSON (see ``offset``).
        case malformedJSON
        /// Well-formed JSON of the wrong type or an unparsable value (`expected int32, got "abc"`).
        case invalidValue
        /// A number, timestamp or duration outside the range of its type.
        case outOfRange
        /// A string that is not valid UTF-8, or a lone surrogate in a `\u` escape.
        case invalidUTF8
        /// A JSON member that names no field (only when unknown fields are rejected).
        case unknownField
        /// The same field given twice (also once by json name and once by proto name),
        /// or two members of one oneof.
        case duplicateField
        /// Nesting deeper than the configured limit.
        case tooDeep
        /// Truncated or malformed protobuf wire data.
        case malformedWire
        /// Input that was read but cannot be written in the output format
        /// (a Timestamp outside JSON's range, an Any of an unknown type, …).
        case unrepresentable
        /// An HTTP request binding problem (query parameter, path variable).
        case badBinding
    }

    public let kind: Kind
    /// JSON path of the offending value; `""` for the top level.
    public let path: String
    /// What was expected and what was found.
    public let message: String
    /// Byte offset into the input, where known (malformed JSON, malformed wire data).
    public let offset: Int?

    public init(_ kind: Kind, path: String = "", _ message: String, offset: Int? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.offset = offset
    }

    public var description: String {
        var text = path.isEmpty ? message : "\(path): \(message)"
        if let offset, kind == .malformedJSON || kind == .malformedWire {
            text += " (at byte \(offset))"
        }
        return text
    }
}
