import DescriptorLoader
import Transcoder

/// The query parameters a route's binder accepts: every URL-bindable field of the
/// request message that neither the path nor the body binds, through singular
/// messages with dotted names (`query.minPages`), repeated fields as repeated
/// parameters, maps as `field[key]=value` (`deepObject`). A message already on the
/// dotted path is not entered again (recursive messages would be endless).
package struct OpenAPIQueryParameters {
    package struct Parameter {
        package var name: String
        package var field: FieldSchema
        package var owner: MessageSchema
        package var isMap: Bool
    }

    package static func parameters(for route: Route, schema: Schema, useProtoNames: Bool) -> [Parameter] {
        guard let root = schema.message(route.method.inputType) else { return [] }
        switch route.body {
        case .wholeRequest: return []
        case .none, .field: break
        }
        var bodyNumber: Int32?
        if case .field(let field) = route.body { bodyNumber = field.number }
        let pathBound = Set(route.template.variables.map(\.fieldPathText))
        var result: [Parameter] = []
        func visit(_ message: MessageSchema, protoPath: [String], namePath: [String], visiting: Set<String>) {
            for field in message.fields {
                if protoPath.isEmpty, field.number == bodyNumber { continue }
                let proto = protoPath + [field.name]
                if pathBound.contains(proto.joined(separator: ".")) { continue }
                let names = namePath + [useProtoNames ? field.name : field.jsonName]
                switch URLBinding.of(field, in: schema) {
                case .value:
                    result.append(Parameter(name: names.joined(separator: "."), field: field, owner: message, isMap: false))
                case .map:
                    result.append(Parameter(name: names.joined(separator: "."), field: field, owner: message, isMap: true))
                case .message(let typeName):
                    guard !visiting.contains(typeName), let child = schema.message(typeName) else { continue }
                    // A path variable inside this message binds a deeper field; the rest is still free.
                    visit(child, protoPath: proto, namePath: names, visiting: visiting.union([typeName]))
                case .unsupported:
                    continue
                }
            }
        }
        visit(root, protoPath: [], namePath: [], visiting: [root.fullName])
        return result
    }
}
