import DescriptorLoader

/// What request binding needs to know about every message, compiled once per
/// ``RouteTable``: name look-up (proto and JSON names), how each field may be
/// bound and how its values are rendered as ProtoJSON, and the pre-rendered
/// `"jsonName":` key. Indexed by ``Schema/messageList`` ordinal so that the
/// per-request path never looks a type up by its full name.
final class RequestBindingsSchema: Sendable {
    /// How a bound string is written into the JSON object.
    enum ValueKind: Sendable, Equatable {
        /// Always a JSON string: strings, bytes (base64 text), every number
        /// (ProtoJSON accepts quoted numbers, including `"NaN"`), and
        /// Timestamp/Duration/FieldMask and the numeric/string/bytes wrappers.
        case quoted
        /// A bare number when the value is an integer literal, else the name as a string.
        case enumValue
        /// `true`/`false` (and the other spellings Go's `strconv.ParseBool`
        /// accepts, as grpc-gateway does) as JSON literals, else a string the
        /// converter rejects with the field path.
        case bool
    }

    enum Kind: Sendable, Equatable {
        /// A scalar (or scalar-form well-known type) leaf; repeated if the field is.
        case value(ValueKind)
        /// `map<K, V>` with a scalar value: bound as `field[key]=value`.
        case map(ValueKind)
        /// A singular message that a dotted path may go through.
        case message(child: Int)
        /// Cannot be bound from a URL (repeated messages, maps of messages,
        /// Struct, Any, …); the reason is used in error messages.
        case unsupported(String)
    }

    /// Classes, so that reading one on the hot path costs a retain, not a copy
    /// of every string in the field's schema.
    final class Field: Sendable {
        let schema: FieldSchema
        let kind: Kind
        /// `"jsonName":`, ready to append.
        let jsonKey: [UInt8]
        let isRepeated: Bool

        init(schema: FieldSchema, kind: Kind, jsonKey: [UInt8]) {
            self.schema = schema
            self.kind = kind
            self.jsonKey = jsonKey
            self.isRepeated = schema.isRepeated
        }
    }

    final class Message: Sendable {
        let schema: MessageSchema
        let fields: [Field]
        /// Proto names and JSON names to field index (a proto name wins over
        /// a JSON name that happens to equal it).
        let byName: [String: Int]
        /// Proto names, then JSON names, as bytes: small messages are searched
        /// by length and bytes without building a `String` or hashing.
        private let names: [[UInt8]]

        init(schema: MessageSchema, fields: [Field], byName: [String: Int]) {
            self.schema = schema
            self.fields = fields
            self.byName = byName
            self.names = schema.fields.map { Array($0.name.utf8) } + schema.fields.map { Array($0.jsonName.utf8) }
        }

        static let linearSearchLimit = 16

        /// The index of the field with this proto or JSON name.
        func fieldIndex(named name: ArraySlice<UInt8>) -> Int? {
            guard fields.count <= Self.linearSearchLimit else {
                return byName[String(decoding: name, as: UTF8.self)]
            }
            for (i, candidate) in names.enumerated() where candidate.count == name.count && candidate[...] == name {
                return i < fields.count ? i : i - fields.count
            }
            return nil
        }
    }

    let messages: [Message]

    init(schema: Schema) {
        var messages: [Message] = []
        messages.reserveCapacity(schema.messageList.count)
        for message in schema.messageList {
            var fields: [Field] = []
            var byName: [String: Int] = [:]
            for (index, field) in message.fields.enumerated() {
                fields.append(
                    Field(
                        schema: field,
                        kind: Self.kind(of: field, in: schema),
                        jsonKey: Array(RequestBindingsJSONText.quoted(field.jsonName).utf8) + [UInt8(ascii: ":")]))
                byName[field.jsonName] = index
            }
            for (index, field) in message.fields.enumerated() { byName[field.name] = index }
            messages.append(Message(schema: message, fields: fields, byName: byName))
        }
        self.messages = messages
    }

    static func kind(of field: FieldSchema, in schema: Schema) -> Kind {
        if let entryName = field.mapEntryTypeName {
            guard let entry = schema.message(entryName), let value = entry.field(number: 2) else {
                return .unsupported("map entry \(entryName) is missing")
            }
            guard let valueKind = leafKind(of: value, in: schema) else {
                return .unsupported("a map whose values are messages cannot be bound from the URL")
            }
            return .map(valueKind)
        }
        if let leaf = leafKind(of: field, in: schema) {
            return .value(leaf)
        }
        if field.type == .enum {
            return .unsupported("\(field.typeName ?? "this enum") cannot be bound from the URL")
        }
        guard let typeName = field.typeName, let message = schema.message(typeName),
            let ordinal = schema.ordinal(of: typeName)
        else {
            return .unsupported("unresolved type")
        }
        if field.isRepeated {
            return .unsupported("a repeated message field cannot be bound from the URL")
        }
        if message.wellKnownType != nil {
            return .unsupported("\(typeName) cannot be bound from the URL")
        }
        return .message(child: ordinal)
    }

    /// The value kind of a field that is a URL-bindable leaf, or nil for messages
    /// without a scalar JSON form.
    static func leafKind(of field: FieldSchema, in schema: Schema) -> ValueKind? {
        switch field.type {
        case .bool: return .bool
        case .enum:
            // google.protobuf.NullValue has no useful URL form.
            return field.typeName == "google.protobuf.NullValue" ? nil : .enumValue
        case .message, .group:
            guard let typeName = field.typeName, let wkt = schema.message(typeName)?.wellKnownType else { return nil }
            switch wkt {
            case .timestamp, .duration, .fieldMask: return .quoted
            case .boolValue: return .bool
            case _ where wkt.isWrapper: return .quoted
            default: return nil
            }
        default: return .quoted
        }
    }

    /// A field's JSON name path (`book.author.name`) for error messages.
    func jsonPath(root: Int, steps: some Collection<Int>) -> String {
        var message = root
        var path = ""
        for step in steps {
            let field = messages[message].fields[step]
            if !path.isEmpty { path += "." }
            path += field.schema.jsonName
            if case .message(let child) = field.kind { message = child }
        }
        return path
    }
}
