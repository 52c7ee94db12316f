/// Checks a resolved schema for problems that only show once everything is
/// linked: HTTP bindings without a verb or path, and `body`/`response_body`
/// naming fields that do not exist.
///
/// Path templates (syntax, variables naming fields) and duplicate
/// verb + template pairs are checked by the route table, not here.
enum SchemaValidator {
    /// - Parameter yamlRuleLabels: `api.yaml: http.rules[2] (line 9)` by selector,
    ///   so errors in YAML rules point at the rule rather than the method.
    static func validate(_ schema: Schema, yamlRuleLabels: [String: String] = [:]) -> [SchemaError] {
        var errors: [SchemaError] = []
        for method in schema.methods.values.sorted(by: { $0.fullName < $1.fullName }) {
            guard let input = schema.message(method.inputType), let output = schema.message(method.outputType) else { continue }
            for rule in method.httpRules {
                let location = Self.location(rule, method, yamlRuleLabels: yamlRuleLabels)
                if rule.httpMethod.isEmpty {
                    errors.append(
                        SchemaError(
                            location: location,
                            message: "binding has no HTTP method: set one of get, put, post, delete, patch or custom (with a kind)"))
                }
                if rule.pattern.isEmpty {
                    errors.append(SchemaError(location: location, message: "binding has an empty path"))
                }
                if rule.body != "" && rule.body != "*" && Self.topLevelField(rule.body, of: input) == nil {
                    errors.append(
                        SchemaError(
                            location: location,
                            message: "body '\(rule.body)' must be '*' or a top-level field of \(input.fullName)"
                                + Self.fieldList(input)))
                }
                if rule.responseBody != "" && Self.topLevelField(rule.responseBody, of: output) == nil {
                    errors.append(
                        SchemaError(
                            location: location,
                            message: "response_body '\(rule.responseBody)' must be a top-level field of \(output.fullName)"
                                + Self.fieldList(output)))
                }
            }
        }
        return errors
    }

    /// `body`/`response_body` name a field by its proto name (as in the annotation).
    static func topLevelField(_ name: String, of message: MessageSchema) -> FieldSchema? {
        message.fields.first { $0.name == name }
    }

    private static func fieldList(_ message: MessageSchema) -> String {
        message.fields.isEmpty ? " (it has no fields)" : " (fields: \(message.fields.map(\.name).joined(separator: ", ")))"
    }

    static func location(_ rule: HTTPRule, _ method: MethodSchema, yamlRuleLabels: [String: String]) -> String {
        let binding = rule.httpMethod.isEmpty && rule.pattern.isEmpty ? "" : " (\(rule.httpMethod) \(rule.pattern))"
        switch rule.origin {
        case .annotation(let file):
            return "\(file): \(method.fullName) google.api.http\(binding)"
        case .yaml(let file):
            let label = yamlRuleLabels[method.fullName] ?? file
            return "\(label): \(method.fullName)\(binding)"
        }
    }
}
