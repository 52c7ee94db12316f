/// Checks a resolved schema for problems that only show once everything is
/// linked: HTTP rules naming fields that do not exist or cannot be bound.
enum SchemaValidator {
    static func validate(_ schema: Schema) -> [SchemaError] {
        var errors: [SchemaError] = []
        for method in schema.methods.values.sorted(by: { $0.fullName < $1.fullName }) {
            guard let input = schema.message(method.inputType), let output = schema.message(method.outputType) else { continue }
            for rule in method.httpRules {
                let location = Self.location(rule, method)
                if rule.body != "" && rule.body != "*" && input.field(named: rule.body) == nil {
                    errors.append(SchemaError(location: location, message: "body '\(rule.body)' is not a field of \(input.fullName)"))
                }
                if rule.responseBody != "" && output.field(named: rule.responseBody) == nil {
                    errors.append(SchemaError(location: location, message: "response_body '\(rule.responseBody)' is not a field of \(output.fullName)"))
                }
            }
        }
        return errors
    }

    static func location(_ rule: HTTPRule, _ method: MethodSchema) -> String {
        switch rule.origin {
        case .annotation(let file): return "\(file): \(method.fullName) (\(rule.httpMethod) \(rule.pattern))"
        case .yaml(let file): return "\(file): \(method.fullName) (\(rule.httpMethod) \(rule.pattern))"
        }
    }
}
