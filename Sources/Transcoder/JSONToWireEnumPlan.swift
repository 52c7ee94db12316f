import DescriptorLoader

/// The compiled form of one enum: names to numbers, and the known numbers.
final class JSONToWireEnumPlan: Sendable {
    let fullName: String
    let names: JSONToWireNameTable
    let numbers: Set<Int32>
    let isClosed: Bool

    init(_ schema: EnumSchema) {
        fullName = schema.fullName
        names = JSONToWireNameTable(schema.values.map { ($0.name, $0.number) })
        numbers = Set(schema.values.map(\.number))
        isClosed = schema.isClosed
    }
}
