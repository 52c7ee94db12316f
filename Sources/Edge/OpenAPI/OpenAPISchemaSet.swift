import DescriptorLoader
import EdgeCore

/// Builds `components.schemas`: one component per message (and enum) and
/// style that a route uses, reached through `$ref` so recursive messages are
/// fine. Well-known types are written inline in their JSON form.
package struct OpenAPISchemaSet {
    package let schema: Schema
    package private(set) var components: [(String, OpenAPIValue)] = []
    private var built: Set<String> = []
    package private(set) var problems: [String] = []

    package init(schema: Schema) {
        self.schema = schema
    }

    /// Adds a component written by hand (e.g. the error body), which a message of the same name will not replace.
    package mutating func reserve(_ name: String, _ value: OpenAPIValue) {
        built.insert(name)
        components.append((name, value))
    }

    package static func ref(_ name: String) -> OpenAPIValue {
        .object([("$ref", .string("#/components/schemas/" + name))])
    }

    /// The schema of a message as a whole body: a `$ref`, or a well-known type inline.
    package mutating func message(_ fullName: String, style: OpenAPISchemaStyle) -> OpenAPIValue {
        if let wkt = schema.message(fullName)?.wellKnownType { return OpenAPIScalarSchema.wellKnown(wkt, input: style.direction == .input) }
        let name = fullName + style.suffix
        if !built.contains(name) {
            built.insert(name)
            let index = components.count
            components.append((name, .object([])))
            components[index].1 = buildMessage(fullName, style: style)
        }
        return Self.ref(name)
    }

    /// The schema of an enum, as a component.
    package mutating func enumeration(_ fullName: String, style: OpenAPISchemaStyle) -> OpenAPIValue {
        if fullName == "google.protobuf.NullValue" { return .object([("type", .string("null"))]) }
        let input = style.direction == .input
        let name = fullName + (input ? "-input" : style.enumsAsInts ? "-enums_as_ints" : "")
        if !built.contains(name) {
            built.insert(name)
            var object = OpenAPIObject()
            let enumType = schema.enumType(fullName)
            let values = enumType?.values ?? []
            let comment = OpenAPIComment(schema.docs.comment(.enumType(fullName)))
            if input || (enumType?.isClosed != true && !style.enumsAsInts) {
                // Requests may name a value or give its number; an open (proto3) enum takes any
                // int32, and prints a number it has no name for as that number.
                let numbers: OpenAPIValue
                if enumType?.isClosed == true {
                    var seen = Set<Int32>()
                    numbers = .object([("type", .string("integer")), ("enum", .array(values.filter { seen.insert($0.number).inserted }.map { .int(Int64($0.number)) }))])
                } else {
                    numbers = .object([
                        ("type", .string("integer")), ("format", .string("int32")),
                        ("minimum", .int(Int64(Int32.min))), ("maximum", .int(Int64(Int32.max))),
                    ])
                }
                object.set("anyOf", .array([.object([("type", .string("string")), ("enum", .array(values.map { .string($0.name) }))]), numbers]))
            } else if style.enumsAsInts {
                object.set("type", "integer")
                var seen = Set<Int32>()
                object.set("enum", .array(values.filter { seen.insert($0.number).inserted }.map { .int(Int64($0.number)) }))
            } else {
                object.set("type", "string")
                object.set("enum", .array(values.map { .string($0.name) }))
            }
            var lines: [String] = comment.text.map { [$0] } ?? []
            let documented = values.compactMap { value -> String? in
                guard let text = OpenAPIComment(schema.docs.comment(.enumValue(enum: fullName, name: value.name))).text else { return nil }
                return "- `\(value.name)` (\(value.number)): " + text.replacingOccurrences(of: "\n", with: " ")
            }
            if !documented.isEmpty { lines.append(documented.joined(separator: "\n")) }
            if !lines.isEmpty { object.set("description", lines.joined(separator: "\n\n")) }
            object.flag("deprecated", schema.docs.isDeprecated(.enumType(fullName)))
            components.append((name, object.value))
        }
        return Self.ref(name)
    }

    /// The schema of one field's value (maps and repeated fields included), with
    /// its comment, `deprecated`, `readOnly`/`writeOnly` and `OpenAPI:` keywords.
    package mutating func field(_ field: FieldSchema, of owner: MessageSchema, style: OpenAPISchemaStyle) -> OpenAPIValue {
        var value: OpenAPIValue
        if let entryName = field.mapEntryTypeName, let entry = schema.message(entryName),
            let key = entry.field(number: 1), let mapped = entry.field(number: 2)
        {
            var map = OpenAPIObject([("type", .string("object")), ("additionalProperties", single(mapped, style: style))])
            map.set("propertyNames", OpenAPIScalarSchema.mapKeyNames(key.type))
            value = map.value
        } else if field.isRepeated {
            value = .object([("type", .string("array")), ("items", single(field, style: style))])
        } else {
            value = single(field, style: style)
        }
        let element = SchemaDocs.Element.field(message: owner.fullName, name: field.name)
        let comment = OpenAPIComment(schema.docs.comment(element))
        problems += comment.problems.map { "\(owner.fullName).\(field.name): not a JSON object: \($0)" }
        guard case .object(let members) = value else { return value }
        var object = OpenAPIObject(members)
        var lines: [String] = []
        if let text = comment.text { lines.append(text) }
        if let index = field.oneofIndex, index < owner.oneofs.count {
            let others = owner.fields.filter { $0.oneofIndex == index }.map { name(of: $0, style: style) }
            lines.append("Member of the oneof `\(owner.oneofs[index])`: at most one of \(others.map { "`\($0)`" }.joined(separator: ", ")) is set.")
        }
        if !lines.isEmpty { object.set("description", lines.joined(separator: "\n\n")) }
        object.flag("deprecated", schema.docs.isDeprecated(element))
        let behavior = schema.docs.fieldBehavior(message: owner.fullName, field: field.name)
        object.flag("readOnly", behavior.contains(.outputOnly))
        object.flag("writeOnly", behavior.contains(.inputOnly))
        for (key, keyword) in comment.keywords where key != Self.segmentKeyword {
            if field.isRepeated && field.mapEntryTypeName == nil && !Self.arrayKeywords.contains(key), case .object(let items)? = object.members.first(where: { $0.0 == "items" })?.1 {
                var inner = OpenAPIObject(items)
                inner.set(key, keyword)
                object.set("items", inner.value)
            } else {
                object.set(key, keyword)
            }
        }
        return object.value
    }

    /// `value` or `null`: a `type` gains `"null"` (and an `enum` the value null); a `$ref` becomes `anyOf`.
    package static func nullable(_ value: OpenAPIValue) -> OpenAPIValue {
        guard case .object(let members) = value else { return value }
        var object = OpenAPIObject(members)
        if let type = value["type"]?.stringValue, type != "null" {
            object.set("type", .array([.string(type), .string("null")]))
            if case .array(let values)? = value["enum"] { object.set("enum", .array(values + [.null])) }
            return object.value
        }
        if case .array(let types)? = value["type"], !types.contains(.string("null")) {
            object.set("type", .array(types + [.string("null")]))
            if case .array(let values)? = value["enum"] { object.set("enum", .array(values + [.null])) }
            return object.value
        }
        if let ref = value["$ref"] {
            object = OpenAPIObject(members.filter { $0.0 != "$ref" })
            object.set("anyOf", .array([.object([("$ref", ref)]), .object([("type", .string("null"))])]))
            return object.value
        }
        return value
    }

    /// In a field's `OpenAPI:` keywords: the schema of each `*` segment parameter a
    /// multi-segment path variable over the field expands into (see ``OpenAPIPath``).
    package static let segmentKeyword = "x-path-segment"

    /// The `x-path-segment` schema of a field's `position`-th `*` segment (0-based), if its
    /// comment gives one: one schema for every segment, or an array of them by position.
    package func segmentSchema(of field: FieldSchema, in owner: MessageSchema, position: Int) -> OpenAPIValue? {
        let given = OpenAPIComment(schema.docs.comment(.field(message: owner.fullName, name: field.name))).keywords
            .first { $0.0 == Self.segmentKeyword }?.1
        if case .array(let list)? = given { return position < list.count ? list[position] : nil }
        return given
    }

    package static let arrayKeywords: Set<String> = ["minItems", "maxItems", "uniqueItems", "example", "examples", "default"]

    /// The JSON name of a field in a style.
    package func name(of field: FieldSchema, style: OpenAPISchemaStyle) -> String {
        style.useProtoNames ? field.name : field.jsonName
    }

    /// One value of a field (an element of a repeated field).
    private mutating func single(_ field: FieldSchema, style: OpenAPISchemaStyle) -> OpenAPIValue {
        switch field.type {
        case .enum: return enumeration(field.typeName ?? "", style: style)
        case .message, .group: return message(field.typeName ?? "", style: style)
        default: return OpenAPIScalarSchema.scalar(field.type, input: style.direction == .input)
        }
    }

    private mutating func buildMessage(_ fullName: String, style: OpenAPISchemaStyle) -> OpenAPIValue {
        guard let message = schema.message(fullName) else { return .object([]) }
        var object = OpenAPIObject()
        object.set("type", "object")
        var properties: [(String, OpenAPIValue)] = []
        var required: [OpenAPIValue] = []
        for field in message.fields {
            let name = name(of: field, style: style)
            var property = self.field(field, of: message, style: style)
            let behavior = schema.docs.fieldBehavior(message: fullName, field: field.name)
            // proto3 JSON reads `null` as "not set" for every field: a request may send it
            // (not for a REQUIRED field, where "not set" is refused).
            if style.direction == .input, !behavior.contains(.required) || style.partial, field.typeName != "google.protobuf.Value" {
                property = Self.nullable(property)
            }
            properties.append((name, property))
            switch style.direction {
            case .input:
                if behavior.contains(.required) && !behavior.contains(.outputOnly) && !style.partial { required.append(.string(name)) }
            case .output:
                // emit_unpopulated prints every field without presence.
                if style.emitUnpopulated && !field.hasPresence && !behavior.contains(.inputOnly) { required.append(.string(name)) }
            }
        }
        let comment = OpenAPIComment(schema.docs.comment(.message(fullName)))
        object.set("description", comment.text)
        object.set("properties", .object(properties))
        if !required.isEmpty { object.set("required", .array(required)) }
        // Unknown members are refused (400) unless the route ignores them; the edge prints none.
        if !style.allowsUnknownFields { object.set("additionalProperties", .bool(false)) }
        // A oneof: at most one member set. Pairs of members must not both be present
        // (no `oneOf` of variants: renderers would show variants that do not exist).
        var pairs: [OpenAPIValue] = []
        for index in message.oneofs.indices {
            let members = message.fields.filter { $0.oneofIndex == index }.map { name(of: $0, style: style) }
            for i in members.indices {
                for j in members.indices where j > i {
                    pairs.append(.object([("required", .array([.string(members[i]), .string(members[j])]))]))
                }
            }
        }
        if !pairs.isEmpty { object.set("not", .object([("anyOf", .array(pairs))])) }
        object.flag("deprecated", schema.docs.isDeprecated(.message(fullName)))
        for (key, keyword) in comment.keywords { object.set(key, keyword) }
        return object.value
    }
}
