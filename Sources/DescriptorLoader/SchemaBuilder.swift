import Foundation
import SwiftProtobuf

/// Turns `FileDescriptorProto`s into one resolved ``Schema``.
///
/// Files may arrive from several sources in any order; the builder merges them
/// by file name (the same file twice is fine if identical), then resolves every
/// type reference and checks the result. All problems are collected, not just
/// the first, so a user sees everything wrong with a registration at once.
public struct SchemaBuilder {
    private var files: [String: Google_Protobuf_FileDescriptorProto] = [:]
    private var fileOrder: [String] = []
    /// Where each file came from (a path on disk), for error messages.
    private var fileOrigins: [String: String] = [:]
    private var errors: [SchemaError] = []
    /// HTTP rules from service-config YAML, by selector; they replace the annotation.
    private var yamlRules: [String: [HTTPRule]] = [:]
    /// `api.yaml: http.rules[2] (line 9)` for each YAML selector, for error messages.
    private var yamlRuleLabels: [String: String] = [:]

    public init() {}

    /// Adds every file of a serialized `FileDescriptorSet`.
    public mutating func addDescriptorSet(_ bytes: [UInt8], origin: String) throws {
        let set: Google_Protobuf_FileDescriptorSet
        do {
            set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        } catch {
            throw SchemaError(location: origin, message: "not a valid FileDescriptorSet: \(error)")
        }
        for file in set.file {
            add(file, origin: origin)
        }
    }

    /// Adds one file; a second copy under the same name must be identical.
    ///
    /// Exception: `google/protobuf/*` files differ between protoc releases
    /// (descriptor.proto grows new options), and a descriptor set built by one
    /// release must still load next to `.proto` files compiled by another, so
    /// for those the first copy wins.
    public mutating func add(_ file: Google_Protobuf_FileDescriptorProto, origin: String) {
        if let existing = files[file.name] {
            if !Self.sameDefinitions(existing, file) && !file.name.hasPrefix("google/protobuf/") {
                errors.append(
                    SchemaError(
                        location: origin,
                        message: "file '\(file.name)' is also loaded from \(fileOrigins[file.name] ?? "?") with different contents"))
            }
            return
        }
        files[file.name] = file
        fileOrder.append(file.name)
        fileOrigins[file.name] = origin
    }

    /// Adds HTTP rules that override the `google.api.http` annotation of the same selector.
    public mutating func addRules(_ rules: [String: [HTTPRule]]) {
        for (selector, list) in rules { yamlRules[selector] = list }
    }

    /// Adds the rules of a service-config YAML; each replaces the annotation of
    /// its selector. A selector may have only one rule across all files, and
    /// must name a loaded method (checked in ``build()``).
    public mutating func addServiceConfig(_ config: ServiceConfig) {
        for rule in config.rules {
            let label = "\(config.file): \(rule.label)"
            if let previous = yamlRuleLabels[rule.selector] {
                errors.append(
                    SchemaError(
                        location: config.file,
                        message: "\(rule.label): selector '\(rule.selector)' already has a rule at \(previous)"))
                continue
            }
            yamlRuleLabels[rule.selector] = label
            yamlRules[rule.selector] = rule.bindings
        }
    }

    /// Resolves and validates everything added so far.
    public func build() throws -> Schema {
        var errors = self.errors
        var messages: [String: MessageSchema] = [:]
        var enums: [String: EnumSchema] = [:]
        var definedIn: [String: String] = [:]

        // A file whose imports are missing cannot resolve; say why before the type errors it causes.
        for fileName in fileOrder {
            guard let file = files[fileName] else { continue }
            for dependency in file.dependency where files[dependency] == nil {
                errors.append(
                    SchemaError(
                        location: origin(fileName),
                        message: "imports '\(dependency)', which is not loaded "
                            + "(build descriptor sets with protoc --include_imports, or load that file too)"))
            }
        }

        // First pass: collect every type name, so references can be resolved in any order.
        var pendingMessages: [(String, Google_Protobuf_DescriptorProto, Google_Protobuf_FileDescriptorProto)] = []
        /// (the scope the extension is declared in: a message or the package, its declaration, its file)
        var pendingExtensions: [(String, Google_Protobuf_FieldDescriptorProto, Google_Protobuf_FileDescriptorProto)] = []
        for fileName in fileOrder {
            guard let file = files[fileName] else { continue }
            let prefix = file.package.isEmpty ? "" : file.package + "."
            func visit(_ message: Google_Protobuf_DescriptorProto, scope: String) {
                let fullName = scope + message.name
                if let other = definedIn[fullName] {
                    errors.append(
                        SchemaError(
                            location: origin(fileName),
                            message: "'\(fullName)' is defined in both '\(other)' and '\(fileName)'"))
                    return
                }
                definedIn[fullName] = fileName
                pendingMessages.append((fullName, message, file))
                for nested in message.nestedType { visit(nested, scope: fullName + ".") }
                for declaration in message.extension { pendingExtensions.append((fullName, declaration, file)) }
                for e in message.enumType { addEnum(e, fullName: fullName + "." + e.name, file: file) }
            }
            func addEnum(_ e: Google_Protobuf_EnumDescriptorProto, fullName: String, file: Google_Protobuf_FileDescriptorProto) {
                if let other = definedIn[fullName] {
                    errors.append(
                        SchemaError(
                            location: origin(file.name),
                            message: "'\(fullName)' is defined in both '\(other)' and '\(file.name)'"))
                    return
                }
                definedIn[fullName] = file.name
                enums[fullName] = EnumSchema(
                    fullName: fullName,
                    values: e.value.map { EnumSchema.Value(name: $0.name, number: $0.number) },
                    isClosed: Self.syntax(of: file) == .proto2,
                    file: file.name)
            }
            for message in file.messageType { visit(message, scope: prefix) }
            for e in file.enumType { addEnum(e, fullName: prefix + e.name, file: file) }
            for declaration in file.extension { pendingExtensions.append((file.package, declaration, file)) }
        }

        /// One field (or extension, when `extensionName` is set) with its types resolved from `scope`;
        /// nil after recording an error.
        func fieldSchema(
            _ field: Google_Protobuf_FieldDescriptorProto, scope: String, owner: String,
            file: Google_Protobuf_FileDescriptorProto, realOneofIndex: [Int: Int], extensionName: String? = nil
        ) -> FieldSchema? {
            let syntax = Self.syntax(of: file)
            guard let type = FieldType(rawValue: UInt8(field.type.rawValue)) else {
                errors.append(SchemaError(location: origin(file.name), message: "\(owner): unsupported field type"))
                return nil
            }
            var typeName: String? = nil
            var mapEntry: String? = nil
            if type == .message || type == .group || type == .enum {
                guard let resolved = Self.resolve(field.typeName, from: scope, known: definedIn) else {
                    errors.append(
                        SchemaError(location: origin(file.name), message: "\(owner): unresolved type '\(field.typeName)'"))
                    return nil
                }
                let isEnumTarget = enums[resolved] != nil
                if isEnumTarget != (type == .enum) {
                    errors.append(
                        SchemaError(
                            location: origin(file.name),
                            message: "\(owner): '\(resolved)' is not \(type == .enum ? "an enum" : "a message")"))
                    return nil
                }
                typeName = resolved
                if type == .message, field.label == .repeated,
                    let entry = pendingMessages.first(where: { $0.0 == resolved }), entry.1.options.mapEntry
                {
                    mapEntry = resolved
                }
            }
            let cardinality: Cardinality
            switch field.label {
            case .repeated: cardinality = .repeated
            case .required: cardinality = .required
            default: cardinality = .optional
            }
            let oneof = field.hasOneofIndex ? realOneofIndex[Int(field.oneofIndex)] : nil
            let hasPresence: Bool
            if cardinality == .repeated {
                hasPresence = false
            } else if type == .message || type == .group || oneof != nil || field.proto3Optional || extensionName != nil {
                hasPresence = true
            } else {
                hasPresence = syntax == .proto2
            }
            let packed: Bool
            if cardinality == .repeated && type.isPackable {
                packed = field.options.hasPacked ? field.options.packed : syntax != .proto2
            } else {
                packed = false
            }
            return FieldSchema(
                name: extensionName ?? field.name,
                jsonName: extensionName ?? (field.hasJsonName ? field.jsonName : Self.lowerCamel(field.name)),
                number: field.number,
                type: type,
                cardinality: cardinality,
                typeName: typeName,
                oneofIndex: oneof,
                isProto3Optional: field.proto3Optional,
                hasPresence: hasPresence,
                isPacked: packed,
                defaultValue: field.hasDefaultValue ? field.defaultValue : nil,
                mapEntryTypeName: mapEntry,
                isExtension: extensionName != nil)
        }

        // Extensions, by the message they extend: a field of that message whose
        // name is the bracketed full name (`[pkg.ext_name]`).
        var extensionsByExtendee: [String: [FieldSchema]] = [:]
        for (scope, declaration, file) in pendingExtensions {
            let fullName = (scope.isEmpty ? "" : scope + ".") + declaration.name
            guard let extendee = Self.resolve(declaration.extendee, from: scope, known: definedIn),
                pendingMessages.contains(where: { $0.0 == extendee })
            else {
                errors.append(
                    SchemaError(
                        location: origin(file.name),
                        message: "extension \(fullName): unresolved extended message '\(declaration.extendee)'"))
                continue
            }
            if let field = fieldSchema(
                declaration, scope: scope, owner: fullName, file: file, realOneofIndex: [:], extensionName: "[\(fullName)]")
            {
                extensionsByExtendee[extendee, default: []].append(field)
            }
        }

        // Second pass: build messages with resolved field types.
        for (fullName, message, file) in pendingMessages {
            // Synthetic oneofs (proto3 optional) are not real oneofs.
            var realOneofIndex: [Int: Int] = [:]
            var oneofNames: [String] = []
            for (i, decl) in message.oneofDecl.enumerated() {
                let isSynthetic = message.field.contains {
                    $0.hasOneofIndex && Int($0.oneofIndex) == i && $0.proto3Optional
                }
                if !isSynthetic {
                    realOneofIndex[i] = oneofNames.count
                    oneofNames.append(decl.name)
                }
            }
            var fields = message.field.compactMap {
                fieldSchema($0, scope: fullName, owner: fullName + "." + $0.name, file: file, realOneofIndex: realOneofIndex)
            }
            for field in extensionsByExtendee[fullName] ?? [] {
                if let clash = fields.first(where: { $0.number == field.number }) {
                    errors.append(
                        SchemaError(
                            location: origin(file.name),
                            message: "\(fullName): extension \(field.name) uses field number \(field.number), "
                                + "which '\(clash.name)' already has"))
                    continue
                }
                fields.append(field)
            }
            messages[fullName] = MessageSchema(
                fullName: fullName,
                fields: fields,
                oneofs: oneofNames,
                isMapEntry: message.options.mapEntry,
                syntax: Self.syntax(of: file),
                file: file.name)
        }

        // Services and methods.
        var services: [String: ServiceSchema] = [:]
        for fileName in fileOrder {
            guard let file = files[fileName] else { continue }
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for service in file.service {
                let serviceName = prefix + service.name
                if let other = definedIn[serviceName] {
                    errors.append(
                        SchemaError(
                            location: origin(fileName),
                            message: "'\(serviceName)' is defined in both '\(other)' and '\(fileName)'"))
                    continue
                }
                definedIn[serviceName] = fileName
                var methods: [MethodSchema] = []
                for method in service.method {
                    let where_ = "\(serviceName).\(method.name)"
                    guard let input = Self.resolve(method.inputType, from: serviceName, known: definedIn),
                        messages[input] != nil
                    else {
                        errors.append(
                            SchemaError(
                                location: origin(fileName),
                                message: "\(where_): unresolved input type '\(method.inputType)'"))
                        continue
                    }
                    guard let output = Self.resolve(method.outputType, from: serviceName, known: definedIn),
                        messages[output] != nil
                    else {
                        errors.append(
                            SchemaError(
                                location: origin(fileName),
                                message: "\(where_): unresolved output type '\(method.outputType)'"))
                        continue
                    }
                    var rules: [HTTPRule] = []
                    if let yaml = yamlRules[where_] {
                        rules = yaml
                    } else {
                        do {
                            rules = try HTTPRuleDecoder.rules(
                                fromMethodOptions: Array(method.options.unknownFields.data),
                                origin: .annotation(file: fileName))
                        } catch {
                            errors.append(
                                SchemaError(location: origin(fileName), message: "\(where_): google.api.http: \(error)"))
                        }
                    }
                    let idempotency: IdempotencyLevel
                    switch method.options.idempotencyLevel {
                    case .noSideEffects: idempotency = .noSideEffects
                    case .idempotent: idempotency = .idempotent
                    default: idempotency = .unknown
                    }
                    methods.append(
                        MethodSchema(
                            name: method.name,
                            serviceName: serviceName,
                            inputType: input,
                            outputType: output,
                            clientStreaming: method.clientStreaming,
                            serverStreaming: method.serverStreaming,
                            idempotencyLevel: idempotency,
                            httpRules: rules))
                }
                services[serviceName] = ServiceSchema(fullName: serviceName, methods: methods, file: fileName)
            }
        }

        var docs = SchemaDocs()
        for fileName in fileOrder {
            if let file = files[fileName] { docs.merge(SchemaDocsCollector.collect(file)) }
        }
        let schema = Schema(messages: messages, enums: enums, services: services, files: fileOrder, docs: docs)
        for selector in yamlRules.keys.sorted() where schema.methods[selector] == nil {
            let label = yamlRuleLabels[selector] ?? "service config"
            let service = selector.split(separator: ".").dropLast().joined(separator: ".")
            let hint = services[service].map { "service '\(service)' has " + $0.methods.map(\.name).joined(separator: ", ") }
                ?? "no service '\(service)' is loaded"
            errors.append(SchemaError(location: label, message: "selector '\(selector)' names no loaded method (\(hint))"))
        }
        errors += SchemaValidator.validate(schema, yamlRuleLabels: yamlRuleLabels)
        if !errors.isEmpty {
            throw SchemaErrors(errors: errors)
        }
        return schema
    }

    private func origin(_ fileName: String) -> String {
        if let source = fileOrigins[fileName], source != fileName {
            return "\(fileName) (from \(source))"
        }
        return fileName
    }

    static func syntax(of file: Google_Protobuf_FileDescriptorProto) -> Syntax {
        switch file.syntax {
        case "proto3": return .proto3
        case "editions": return .editions
        default: return .proto2
        }
    }

    /// Resolves a type reference the way protoc does: `.a.b.C` is absolute;
    /// otherwise search the enclosing scopes from innermost outwards.
    static func resolve(_ reference: String, from scope: String, known: [String: String]) -> String? {
        if reference.hasPrefix(".") {
            let name = String(reference.dropFirst())
            return known[name] != nil ? name : nil
        }
        var parts = scope.split(separator: ".").map(String.init)
        while true {
            let candidate = (parts + [reference]).joined(separator: ".")
            if known[candidate] != nil { return candidate }
            if parts.isEmpty { return nil }
            parts.removeLast()
        }
    }

    /// protoc's default JSON name: underscores removed, the next letter upper-cased.
    public static func lowerCamel(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for ch in name {
            if ch == "_" {
                upperNext = true
            } else if upperNext {
                result += ch.uppercased()
                upperNext = false
            } else {
                result.append(ch)
            }
        }
        return result
    }

    static func sameDefinitions(_ a: Google_Protobuf_FileDescriptorProto, _ b: Google_Protobuf_FileDescriptorProto) -> Bool {
        // Source info differs between protoc runs with different flags; compare the definitions only.
        var a = a
        var b = b
        a.clearSourceCodeInfo()
        b.clearSourceCodeInfo()
        return a == b
    }
}
