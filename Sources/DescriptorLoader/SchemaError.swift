/// One problem found while loading, with the file (and element) it concerns.
public struct SchemaError: Error, Sendable, CustomStringConvertible, Equatable {
    public let location: String
    public let message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
