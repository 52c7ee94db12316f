/// One resolved, validated, immutable view of every message, enum, service and
/// method the edge knows about.
///
/// Built once by ``SchemaBuilder`` from descriptor sources; read-only while
/// serving, so it is safe to share across event loops. Everything is addressed
/// by full name without a leading dot (`bench.v1.Product`).
public final class Schema: Sendable {
    public let messages: [String: MessageSchema]
    public let enums: [String: EnumSchema]
    public let services: [String: ServiceSchema]
    /// Every method by full name (`bench.v1.Catalog.GetProduct`).
    public let methods: [String: MethodSchema]
    /// Names of the files the schema was built from, in load order.
    public let files: [String]
    /// Every message sorted by full name; a message's position here is its
    /// stable ordinal, which compiled plans (JSONToWire, WireToJSON) index by,
    /// so that the hot path never looks a type up by name.
    public let messageList: [MessageSchema]
    private let messageOrdinals: [String: Int]
    /// Comments, `deprecated` and `field_behavior`, for documentation (OpenAPI).
    public let docs: SchemaDocs

    public init(
        messages: [String: MessageSchema],
        enums: [String: EnumSchema],
        services: [String: ServiceSchema],
        files: [String],
        docs: SchemaDocs = SchemaDocs()
    ) {
        self.docs = docs
        self.messages = messages
        self.enums = enums
        self.services = services
        var methods: [String: MethodSchema] = [:]
        for service in services.values {
            for method in service.methods {
                methods[method.fullName] = method
            }
        }
        self.methods = methods
        self.files = files
        self.messageList = messages.values.sorted { $0.fullName < $1.fullName }
        var ordinals: [String: Int] = [:]
        for (i, message) in messageList.enumerated() { ordinals[message.fullName] = i }
        self.messageOrdinals = ordinals
    }

    /// The ordinal of a message in ``messageList``.
    public func ordinal(of fullName: String) -> Int? { messageOrdinals[fullName] }

    public func message(_ fullName: String) -> MessageSchema? { messages[fullName] }
    public func enumType(_ fullName: String) -> EnumSchema? { enums[fullName] }
}

/// The `.proto` syntax a definition came from; it decides presence and enum openness.
public enum Syntax: String, Sendable {
    case proto2
    case proto3
    case editions
}

/// A message type. A class so that recursive messages can point at each other
/// through ``Schema`` look-ups without copying.
public final class MessageSchema: Sendable {
    public let fullName: String
    public let name: String
    /// Fields ordered by field number (the order ProtoJSON prints them in),
    /// the extensions loaded for the message among them.
    public let fields: [FieldSchema]
    /// Real oneofs only (not the synthetic ones protoc makes for proto3 `optional`).
    public let oneofs: [String]
    public let isMapEntry: Bool
    public let syntax: Syntax
    /// The file that defines the message.
    public let file: String
    /// Set for the google.protobuf types that have a special JSON form.
    public let wellKnownType: WellKnownType?

    private let fieldIndexByNumber: [Int32: Int]

    public init(
        fullName: String,
        fields: [FieldSchema],
        oneofs: [String],
        isMapEntry: Bool,
        syntax: Syntax,
        file: String
    ) {
        self.fullName = fullName
        self.name = String(fullName.split(separator: ".").last ?? Substring(fullName))
        self.fields = fields.sorted { $0.number < $1.number }
        self.oneofs = oneofs
        self.isMapEntry = isMapEntry
        self.syntax = syntax
        self.file = file
        self.wellKnownType = WellKnownType(rawValue: fullName)
        var index: [Int32: Int] = [:]
        for (i, field) in self.fields.enumerated() { index[field.number] = i }
        self.fieldIndexByNumber = index
    }

    public func field(number: Int32) -> FieldSchema? {
        fieldIndexByNumber[number].map { fields[$0] }
    }

    /// Looks a field up by its proto name or its JSON name.
    public func field(named name: String) -> FieldSchema? {
        fields.first { $0.name == name } ?? fields.first { $0.jsonName == name }
    }
}

/// The protobuf field types, numbered as in `FieldDescriptorProto.Type`.
public enum FieldType: UInt8, Sendable, CaseIterable {
    case double = 1
    case float = 2
    case int64 = 3
    case uint64 = 4
    case int32 = 5
    case fixed64 = 6
    case fixed32 = 7
    case bool = 8
    case string = 9
    case group = 10
    case message = 11
    case bytes = 12
    case uint32 = 13
    case `enum` = 14
    case sfixed32 = 15
    case sfixed64 = 16
    case sint32 = 17
    case sint64 = 18

    /// The wire type a single (unpacked) value of this type uses.
    public var wireType: WireType {
        switch self {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool, .enum: return .varint
        case .fixed64, .sfixed64, .double: return .fixed64
        case .fixed32, .sfixed32, .float: return .fixed32
        case .string, .bytes, .message: return .lengthDelimited
        case .group: return .startGroup
        }
    }

    /// Scalar numeric/bool/enum types may be packed when repeated.
    public var isPackable: Bool {
        switch self {
        case .string, .bytes, .message, .group: return false
        default: return true
        }
    }

    /// The name used in `.proto` files and in error messages (`int32`, `string`, …).
    public var protoName: String {
        switch self {
        case .double: return "double"
        case .float: return "float"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .int32: return "int32"
        case .fixed64: return "fixed64"
        case .fixed32: return "fixed32"
        case .bool: return "bool"
        case .string: return "string"
        case .group: return "group"
        case .message: return "message"
        case .bytes: return "bytes"
        case .uint32: return "uint32"
        case .enum: return "enum"
        case .sfixed32: return "sfixed32"
        case .sfixed64: return "sfixed64"
        case .sint32: return "sint32"
        case .sint64: return "sint64"
        }
    }
}

/// Protobuf wire types.
public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

public enum Cardinality: Sendable {
    case optional
    case required
    case repeated
}

/// One field of a message, with everything the transcoder and binder need
/// already resolved. Extensions of the message are fields too (``isExtension``),
/// so every plan built from ``MessageSchema/fields`` reads and writes them.
public struct FieldSchema: Sendable {
    /// The name in the `.proto` file (`price_micros`).
    public let name: String
    /// The JSON name: `json_name` if given, else lowerCamelCase (`priceMicros`).
    public let jsonName: String
    public let number: Int32
    public let type: FieldType
    public let cardinality: Cardinality
    /// Full name of the message or enum type, for `.message`, `.group` and `.enum` fields.
    public let typeName: String?
    /// Index into ``MessageSchema/oneofs`` for members of a real oneof.
    public let oneofIndex: Int?
    /// A proto3 `optional` field.
    public let isProto3Optional: Bool
    /// Whether "set to the default" is distinguishable from "unset": message
    /// fields, oneof members, proto3 `optional`, proto2 singular fields.
    public let hasPresence: Bool
    /// Repeated scalar fields that are written packed.
    public let isPacked: Bool
    /// The proto2 `[default = …]` text, as protoc stores it.
    public let defaultValue: String?
    /// Set when the field is a `map<K, V>`: the synthetic entry message's full name.
    public let mapEntryTypeName: String?
    /// A proto2/editions extension of the message: its ``name`` and ``jsonName``
    /// are both the bracketed full name (`[pkg.ext_name]`), the key ProtoJSON uses.
    public let isExtension: Bool

    public init(
        name: String,
        jsonName: String,
        number: Int32,
        type: FieldType,
        cardinality: Cardinality,
        typeName: String?,
        oneofIndex: Int?,
        isProto3Optional: Bool,
        hasPresence: Bool,
        isPacked: Bool,
        defaultValue: String?,
        mapEntryTypeName: String?,
        isExtension: Bool = false
    ) {
        self.name = name
        self.jsonName = jsonName
        self.number = number
        self.type = type
        self.cardinality = cardinality
        self.typeName = typeName
        self.oneofIndex = oneofIndex
        self.isProto3Optional = isProto3Optional
        self.hasPresence = hasPresence
        self.isPacked = isPacked
        self.defaultValue = defaultValue
        self.mapEntryTypeName = mapEntryTypeName
        self.isExtension = isExtension
    }

    public var isRepeated: Bool { cardinality == .repeated }
    public var isMap: Bool { mapEntryTypeName != nil }
}

public struct EnumSchema: Sendable {
    public struct Value: Sendable {
        public let name: String
        public let number: Int32
        public init(name: String, number: Int32) {
            self.name = name
            self.number = number
        }
    }

    public let fullName: String
    /// Values in declaration order (aliases included).
    public let values: [Value]
    /// proto2 enums are closed: unknown numbers are not kept in the field.
    public let isClosed: Bool
    public let file: String

    public init(fullName: String, values: [Value], isClosed: Bool, file: String) {
        self.fullName = fullName
        self.values = values
        self.isClosed = isClosed
        self.file = file
    }

    /// The first name declared for a number (what ProtoJSON prints).
    public func name(for number: Int32) -> String? {
        values.first { $0.number == number }?.name
    }

    public func number(for name: String) -> Int32? {
        values.first { $0.name == name }?.number
    }
}

public struct ServiceSchema: Sendable {
    public let fullName: String
    public let methods: [MethodSchema]
    public let file: String

    public init(fullName: String, methods: [MethodSchema], file: String) {
        self.fullName = fullName
        self.methods = methods
        self.file = file
    }
}

public enum IdempotencyLevel: Sendable {
    case unknown
    case noSideEffects
    case idempotent
}

public struct MethodSchema: Sendable {
    /// `Method`
    public let name: String
    /// `pkg.Service.Method`
    public let fullName: String
    /// `pkg.Service`
    public let serviceName: String
    public let inputType: String
    public let outputType: String
    public let clientStreaming: Bool
    public let serverStreaming: Bool
    public let idempotencyLevel: IdempotencyLevel
    /// The HTTP bindings in force for this method (annotation or YAML), with
    /// `additional_bindings` flattened after the primary rule.
    public let httpRules: [HTTPRule]

    public init(
        name: String,
        serviceName: String,
        inputType: String,
        outputType: String,
        clientStreaming: Bool,
        serverStreaming: Bool,
        idempotencyLevel: IdempotencyLevel,
        httpRules: [HTTPRule]
    ) {
        self.name = name
        self.fullName = serviceName + "." + name
        self.serviceName = serviceName
        self.inputType = inputType
        self.outputType = outputType
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
        self.idempotencyLevel = idempotencyLevel
        self.httpRules = httpRules
    }

    /// The gRPC `:path` of the method: `/pkg.Service/Method`.
    public var grpcPath: String { "/" + serviceName + "/" + name }

    public func with(httpRules: [HTTPRule]) -> MethodSchema {
        MethodSchema(
            name: name, serviceName: serviceName, inputType: inputType, outputType: outputType,
            clientStreaming: clientStreaming, serverStreaming: serverStreaming,
            idempotencyLevel: idempotencyLevel, httpRules: httpRules)
    }
}

/// One HTTP binding of a method, from `google.api.http` or a service-config YAML.
public struct HTTPRule: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        case annotation(file: String)
        case yaml(file: String)
    }

    /// Upper-case HTTP method (`GET`, `POST`, … or a custom verb's `kind`).
    public let httpMethod: String
    /// The path template text (`/v1/{name=shelves/*}/books`).
    public let pattern: String
    /// `""` (no body), `"*"` (the whole request) or a top-level field name.
    public let body: String
    /// `""` (the whole response) or a top-level field name.
    public let responseBody: String
    public let origin: Origin

    public init(httpMethod: String, pattern: String, body: String, responseBody: String, origin: Origin) {
        self.httpMethod = httpMethod
        self.pattern = pattern
        self.body = body
        self.responseBody = responseBody
        self.origin = origin
    }
}

/// The google.protobuf messages whose JSON form is not the generic one.
public enum WellKnownType: String, Sendable {
    case any = "google.protobuf.Any"
    case timestamp = "google.protobuf.Timestamp"
    case duration = "google.protobuf.Duration"
    case fieldMask = "google.protobuf.FieldMask"
    case `struct` = "google.protobuf.Struct"
    case value = "google.protobuf.Value"
    case listValue = "google.protobuf.ListValue"
    case empty = "google.protobuf.Empty"
    case doubleValue = "google.protobuf.DoubleValue"
    case floatValue = "google.protobuf.FloatValue"
    case int64Value = "google.protobuf.Int64Value"
    case uint64Value = "google.protobuf.UInt64Value"
    case int32Value = "google.protobuf.Int32Value"
    case uint32Value = "google.protobuf.UInt32Value"
    case boolValue = "google.protobuf.BoolValue"
    case stringValue = "google.protobuf.StringValue"
    case bytesValue = "google.protobuf.BytesValue"

    /// The nine wrapper types: their JSON form is the wrapped scalar.
    public var isWrapper: Bool {
        switch self {
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value,
            .boolValue, .stringValue, .bytesValue:
            return true
        default:
            return false
        }
    }
}
