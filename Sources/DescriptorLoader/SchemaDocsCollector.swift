import SwiftProtobuf

/// Collects ``SchemaDocs`` from one `FileDescriptorProto`: comments from its
/// `source_code_info` (located by descriptor path), `deprecated` options and
/// `google.api.field_behavior` (FieldOptions extension 1052, read from the
/// options' unknown fields, as ``HTTPRuleDecoder`` reads `google.api.http`).
enum SchemaDocsCollector {
    static let fieldBehaviorExtension: UInt64 = 1052

    static func collect(_ file: Google_Protobuf_FileDescriptorProto) -> [SchemaDocs.Element: SchemaDocs.Entry] {
        var comments: [[Int32]: String] = [:]
        for location in file.sourceCodeInfo.location {
            let text = location.hasLeadingComments ? location.leadingComments : location.trailingComments
            if let cleaned = clean(text) { comments[location.path] = cleaned }
        }
        var result: [SchemaDocs.Element: SchemaDocs.Entry] = [:]
        func record(_ element: SchemaDocs.Element, path: [Int32], deprecated: Bool, behavior: [SchemaDocs.FieldBehavior] = []) {
            let entry = SchemaDocs.Entry(comment: comments[path], deprecated: deprecated, fieldBehavior: behavior)
            if entry != SchemaDocs.Entry() { result[element] = entry }
        }
        let prefix = file.package.isEmpty ? "" : file.package + "."

        func visitEnum(_ e: Google_Protobuf_EnumDescriptorProto, fullName: String, path: [Int32]) {
            record(.enumType(fullName), path: path, deprecated: e.options.deprecated)
            for (i, value) in e.value.enumerated() {
                record(.enumValue(enum: fullName, name: value.name), path: path + [2, Int32(i)], deprecated: value.options.deprecated)
            }
        }
        func visitMessage(_ message: Google_Protobuf_DescriptorProto, fullName: String, path: [Int32]) {
            record(.message(fullName), path: path, deprecated: message.options.deprecated)
            for (i, field) in message.field.enumerated() {
                record(
                    .field(message: fullName, name: field.name), path: path + [2, Int32(i)], deprecated: field.options.deprecated,
                    behavior: fieldBehavior(Array(field.options.unknownFields.data)))
            }
            for (i, nested) in message.nestedType.enumerated() {
                visitMessage(nested, fullName: fullName + "." + nested.name, path: path + [3, Int32(i)])
            }
            for (i, e) in message.enumType.enumerated() {
                visitEnum(e, fullName: fullName + "." + e.name, path: path + [4, Int32(i)])
            }
        }
        for (i, message) in file.messageType.enumerated() {
            visitMessage(message, fullName: prefix + message.name, path: [4, Int32(i)])
        }
        for (i, e) in file.enumType.enumerated() {
            visitEnum(e, fullName: prefix + e.name, path: [5, Int32(i)])
        }
        for (i, service) in file.service.enumerated() {
            let serviceName = prefix + service.name
            record(.service(serviceName), path: [6, Int32(i)], deprecated: service.options.deprecated)
            for (j, method) in service.method.enumerated() {
                record(.method(serviceName + "." + method.name), path: [6, Int32(i), 2, Int32(j)], deprecated: method.options.deprecated)
            }
        }
        return result
    }

    /// `repeated google.api.FieldBehavior field_behavior = 1052`, packed or not.
    static func fieldBehavior(_ bytes: [UInt8]) -> [SchemaDocs.FieldBehavior] {
        var reader = ProtoReader(bytes: bytes[...])
        var values: [SchemaDocs.FieldBehavior] = []
        do {
            while let (number, wireType) = try reader.nextTag() {
                guard number == fieldBehaviorExtension else {
                    try reader.skip(wireType: wireType)
                    continue
                }
                if wireType == 0 {
                    if let value = SchemaDocs.FieldBehavior(rawValue: Int32(truncatingIfNeeded: try reader.readVarint())) { values.append(value) }
                } else if wireType == 2 {
                    var packed = ProtoReader(bytes: try reader.readLengthDelimited())
                    while !packed.bytes.isEmpty {
                        if let value = SchemaDocs.FieldBehavior(rawValue: Int32(truncatingIfNeeded: try packed.readVarint())) { values.append(value) }
                    }
                } else {
                    try reader.skip(wireType: wireType)
                }
            }
        } catch {
            return values
        }
        return values
    }

    /// A comment without its surrounding blank lines and the one space protoc keeps after `//`.
    static func clean(_ text: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var line = Substring(line)
            if line.first == " " { line = line.dropFirst() }
            while line.last == " " || line.last == "\r" { line = line.dropLast() }
            return String(line)
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}
