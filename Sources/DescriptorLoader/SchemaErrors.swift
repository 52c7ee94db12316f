/// Every problem found in one load, in the order found; printed one per line.
public struct SchemaErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [SchemaError]

    public init(errors: [SchemaError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
