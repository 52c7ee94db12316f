import DescriptorLoader
import EdgeCore

/// The JSON Schema of scalar fields and of the well-known types, as the edge
/// really reads and writes them (the proto3 JSON mapping).
package enum OpenAPIScalarSchema {
    /// int64 values are JSON strings of decimal digits without leading zeros (the
    /// edge rejects `043`). The pattern admits at most 18 digits: every such number
    /// fits, so generated valid data is valid (19-digit values are accepted too, up
    /// to the type's limit, and so are JSON numbers).
    package static let int64Pattern = "^-?(0|[1-9][0-9]{0,17})$"
    package static let uint64Pattern = "^(0|[1-9][0-9]{0,18})$"
    /// What the edge writes: any value of the type (up to 19 and 20 digits).
    package static let int64OutputPattern = "^-?(0|[1-9][0-9]{0,18})$"
    package static let uint64OutputPattern = "^(0|[1-9][0-9]{0,19})$"
    package static let base64Pattern = "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
    /// RFC 3339 as ProtoJSON writes and reads it: years 0001-9999, `Z` or an offset, up to nine fractional digits.
    package static let timestampPattern =
        "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    /// Seconds with up to nine fractional digits and an `s` (bounded by ±315576000000 s).
    package static let durationPattern = "^-?[0-9]{1,11}(\\.[0-9]{1,9})?s$"
    /// Comma-separated lowerCamelCase field paths.
    package static let fieldMaskPattern = "^([a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z][a-zA-Z0-9]*)*(,[a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z][a-zA-Z0-9]*)*)*)?$"

    package static func object(_ members: [(String, OpenAPIValue)]) -> OpenAPIValue { .object(members) }

    /// - Parameter input: the schema of a request value (int64 numbers are read too).
    package static func scalar(_ type: FieldType, input: Bool = false) -> OpenAPIValue {
        switch type {
        case .double: return object([("type", .string("number")), ("format", .string("double"))])
        case .float: return object([("type", .string("number")), ("format", .string("float"))])
        case .int32, .sint32, .sfixed32:
            return object([
                ("type", .string("integer")), ("format", .string("int32")),
                ("minimum", .int(Int64(Int32.min))), ("maximum", .int(Int64(Int32.max))),
            ])
        case .uint32, .fixed32:
            return object([
                ("type", .string("integer")), ("format", .string("uint32")), ("minimum", .int(0)), ("maximum", .int(Int64(UInt32.max))),
            ])
        case .int64, .sint64, .sfixed64:
            // Written as strings; read as strings or numbers (`pattern` constrains the one,
            // `minimum`/`maximum` the other).
            guard input else { return object([("type", .string("string")), ("format", .string("int64")), ("pattern", .string(int64OutputPattern))]) }
            return object([
                ("type", .array([.string("string"), .string("integer")])), ("format", .string("int64")), ("pattern", .string(int64Pattern)),
                ("minimum", .int(Int64.min)), ("maximum", .int(Int64.max)),
            ])
        case .uint64, .fixed64:
            guard input else { return object([("type", .string("string")), ("format", .string("uint64")), ("pattern", .string(uint64OutputPattern))]) }
            return object([
                ("type", .array([.string("string"), .string("integer")])), ("format", .string("uint64")), ("pattern", .string(uint64Pattern)),
                ("minimum", .int(0)), ("maximum", .uint(UInt64.max)),
            ])
        case .bool: return object([("type", .string("boolean"))])
        case .string: return object([("type", .string("string"))])
        case .bytes:
            return object([("type", .string("string")), ("contentEncoding", .string("base64")), ("pattern", .string(base64Pattern))])
        case .enum, .message, .group: return object([])
        }
    }

    /// The JSON form of a well-known type, inline (they are small and have no fields to document).
    package static func wellKnown(_ type: WellKnownType, input: Bool = false) -> OpenAPIValue {
        switch type {
        case .timestamp:
            return object([
                ("type", .string("string")), ("format", .string("date-time")), ("pattern", .string(timestampPattern)),
                ("description", .string("google.protobuf.Timestamp: RFC 3339, e.g. 1972-01-01T10:00:20.021Z")),
            ])
        case .duration:
            return object([
                ("type", .string("string")), ("pattern", .string(durationPattern)),
                ("description", .string("google.protobuf.Duration: seconds with an `s`, e.g. 1.5s")),
            ])
        case .fieldMask:
            return object([
                ("type", .string("string")), ("pattern", .string(fieldMaskPattern)),
                ("description", .string("google.protobuf.FieldMask: comma-separated lowerCamelCase field paths, e.g. title,pageCount")),
            ])
        case .struct:
            return object([("type", .string("object")), ("additionalProperties", .bool(true)), ("description", .string("google.protobuf.Struct: any JSON object"))])
        case .value:
            return object([("description", .string("google.protobuf.Value: any JSON value"))])
        case .listValue:
            return object([("type", .string("array")), ("items", .object([])), ("description", .string("google.protobuf.ListValue: any JSON array"))])
        case .empty:
            return object([("type", .string("object")), ("maxProperties", .int(0)), ("description", .string("google.protobuf.Empty"))])
        case .any:
            return object([
                ("type", .string("object")),
                ("properties", .object([("@type", object([("type", .string("string")), ("description", .string("type URL, e.g. type.googleapis.com/google.rpc.ErrorInfo"))]))])),
                ("required", .array([.string("@type")])),
                ("additionalProperties", .bool(true)),
                ("description", .string("google.protobuf.Any: the message's JSON with its `@type` (a well-known type's JSON under `value`)")),
            ])
        case .doubleValue: return scalar(.double)
        case .floatValue: return scalar(.float)
        case .int64Value: return scalar(.int64, input: input)
        case .uint64Value: return scalar(.uint64, input: input)
        case .int32Value: return scalar(.int32)
        case .uint32Value: return scalar(.uint32)
        case .boolValue: return scalar(.bool)
        case .stringValue: return scalar(.string)
        case .bytesValue: return scalar(.bytes)
        }
    }

    /// `propertyNames` of a map whose keys are not strings (JSON object keys are).
    package static func mapKeyNames(_ type: FieldType) -> OpenAPIValue? {
        switch type {
        case .int32, .sint32, .sfixed32, .int64, .sint64, .sfixed64:
            return object([("pattern", .string("^-?[0-9]+$"))])
        case .uint32, .fixed32, .uint64, .fixed64:
            return object([("pattern", .string("^[0-9]+$"))])
        case .bool:
            return object([("enum", .array([.string("true"), .string("false")]))])
        default:
            return nil
        }
    }
}
