/// A path template that does not follow the `google.api.http` grammar.
public struct PathTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template text.
    public let template: String
    /// Byte offset of the problem in the template.
    public let position: Int
    public let reason: String

    public init(template: String, position: Int, reason: String) {
        self.template = template
        self.position = position
        self.reason = reason
    }

    public var description: String { "invalid path template '\(template)' at \(position): \(reason)" }
}
