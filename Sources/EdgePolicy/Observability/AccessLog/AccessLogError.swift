/// Why the access log could not start: wrong settings or a destination it cannot open.
/// The message names the key or path and the reason, for an operator.
public struct AccessLogError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
