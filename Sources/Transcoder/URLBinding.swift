import DescriptorLoader

/// How a request field may be bound from the URL (path variables and query
/// parameters), as the request binder decides it (``RequestBindingsSchema``):
/// the OpenAPI document lists query parameters from this, so it documents
/// exactly what the binder accepts.
public enum URLBinding: Sendable, Equatable {
    /// A scalar leaf (or a well-known type with a scalar JSON form); repeated
    /// fields take the parameter once per element.
    case value
    /// `map<K, V>` with a scalar value: `field[key]=value`.
    case map
    /// A singular message: its fields are bound with dotted names (`query.minPages`).
    case message(String)
    /// Cannot be bound from a URL.
    case unsupported

    public static func of(_ field: FieldSchema, in schema: Schema) -> URLBinding {
        switch RequestBindingsSchema.kind(of: field, in: schema) {
        case .value: return .value
        case .map: return .map
        case .message: return field.typeName.map(URLBinding.message) ?? .unsupported
        case .unsupported: return .unsupported
        }
    }
}
