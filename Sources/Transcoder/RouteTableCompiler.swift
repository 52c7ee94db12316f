import DescriptorLoader

/// Validates every HTTP rule of a schema and compiles the routes into a
/// ``RouteTrie``, collecting all problems (each naming the file, method and rule).
///
/// Path variables must name a non-repeated scalar field reached through
/// singular message fields. As in grpc-gateway, the scalar-form well-known
/// types (Timestamp, Duration, FieldMask and the wrappers) count as scalars.
struct RouteTableCompiler {
    let schema: Schema
    let bindingSchema: RequestBindingsSchema
    private(set) var errors: [SchemaError] = []

    init(schema: Schema, bindingSchema: RequestBindingsSchema) {
        self.schema = schema
        self.bindingSchema = bindingSchema
    }

    mutating func compile(defaultRoutes: Bool) -> ([Route], RouteTrie) {
        var userRoutes: [Route] = []
        var defaults: [Route] = []
        for method in schema.methods.values.sorted(by: { $0.fullName < $1.fullName }) {
            guard let inputOrdinal = schema.ordinal(of: method.inputType), schema.message(method.outputType) != nil else {
                errors.append(
                    SchemaError(location: method.fullName, message: "input or output type is not in the schema"))
                continue
            }
            for rule in method.httpRules {
                if let route = compile(rule, of: method, inputOrdinal: inputOrdinal) { userRoutes.append(route) }
            }
            if defaultRoutes {
                let template = PathTemplate(
                    text: method.grpcPath,
                    segments: [.literal(method.serviceName), .literal(method.name)],
                    variables: [], verb: nil)
                defaults.append(
                    Route(
                        method: method, httpMethod: "POST", template: template, body: .wholeRequest, responseBody: nil,
                        isDefaultRoute: true, rule: nil, inputOrdinal: inputOrdinal, variables: []))
            }
        }

        // User rules first, so a rule claiming a default route's place wins it.
        var trie = RouteTrie()
        var accepted: [Route] = []
        for route in userRoutes {
            if let existing = trie.insert(route.template, httpMethod: route.httpMethod, route: accepted.count) {
                let other = accepted[existing]
                errors.append(
                    SchemaError(
                        location: Self.location(route.rule!, route.method),
                        message:
                            "\(route.httpMethod) \(route.pattern) is also claimed by \(other.method.fullName) (\(other.httpMethod) \(other.pattern)) in \(Self.file(other.rule!.origin))"
                    ))
            } else {
                accepted.append(route)
            }
        }
        for route in defaults where trie.insert(route.template, httpMethod: "POST", route: accepted.count) == nil {
            accepted.append(route)
        }
        trie.finish()
        return (accepted, trie)
    }

    /// Routes for listing: by method full name, rules in declaration order, the default route last.
    static func listingOrder(_ routes: [Route]) -> [Route] {
        routes.enumerated().sorted { a, b in
            if a.element.method.fullName != b.element.method.fullName {
                return a.element.method.fullName < b.element.method.fullName
            }
            if a.element.isDefaultRoute != b.element.isDefaultRoute { return !a.element.isDefaultRoute }
            return a.offset < b.offset
        }.map(\.element)
    }

    private mutating func compile(_ rule: HTTPRule, of method: MethodSchema, inputOrdinal: Int) -> Route? {
        let location = Self.location(rule, method)
        let errorCount = errors.count
        let template: PathTemplate
        do {
            template = try PathTemplate(parsing: rule.pattern)
        } catch {
            errors.append(SchemaError(location: location, message: "\(error)"))
            return nil
        }
        if rule.httpMethod.isEmpty {
            errors.append(SchemaError(location: location, message: "the rule has no HTTP method"))
        }
        var variables: [Route.BoundVariable] = []
        for variable in template.variables {
            if let steps = resolve(variable.fieldPath, root: inputOrdinal, location: location) {
                variables.append(
                    Route.BoundVariable(
                        steps: steps, segments: variable.segments, toEnd: variable.endsWithMultiWildcard,
                        isMultiSegment: variable.isMultiSegment,
                        jsonPath: bindingSchema.jsonPath(root: inputOrdinal, steps: steps)))
            }
        }
        let input = bindingSchema.messages[inputOrdinal].schema
        let body: Route.Body
        switch rule.body {
        case "": body = .none
        case "*": body = .wholeRequest
        default:
            if let field = input.field(named: rule.body) {
                body = .field(field)
            } else {
                errors.append(SchemaError(location: location, message: "body '\(rule.body)' is not a field of \(input.fullName)"))
                body = .none
            }
        }
        var responseBody: FieldSchema?
        if !rule.responseBody.isEmpty {
            responseBody = schema.message(method.outputType)?.field(named: rule.responseBody)
            if responseBody == nil {
                errors.append(
                    SchemaError(
                        location: location, message: "response_body '\(rule.responseBody)' is not a field of \(method.outputType)"))
            }
        }
        guard errors.count == errorCount else { return nil }
        return Route(
            method: method, httpMethod: rule.httpMethod, template: template, body: body, responseBody: responseBody,
            isDefaultRoute: false, rule: rule, inputOrdinal: inputOrdinal, variables: variables)
    }

    /// Resolves a path variable's field path to field indices, or records why it cannot be bound.
    private mutating func resolve(_ fieldPath: [String], root: Int, location: String) -> [Int]? {
        let text = fieldPath.joined(separator: ".")
        var message = root
        var steps: [Int] = []
        for (position, name) in fieldPath.enumerated() {
            let compiled = bindingSchema.messages[message]
            guard let index = compiled.byName[name] else {
                errors.append(
                    SchemaError(
                        location: location,
                        message: "path variable '\(text)': '\(name)' is not a field of \(compiled.schema.fullName)"))
                return nil
            }
            steps.append(index)
            let field = compiled.fields[index]
            let isLast = position == fieldPath.count - 1
            let problem: String?
            switch field.kind {
            case .value:
                problem =
                    !isLast ? "'\(name)' is not a message, so it has no field '\(fieldPath[position + 1])'"
                    : field.schema.isRepeated ? "'\(name)' is repeated; a path variable binds one value" : nil
            case .map:
                problem = "'\(name)' is a map; a path variable binds one value"
            case .message(let child):
                problem =
                    isLast
                    ? "'\(name)' is a message (\(field.schema.typeName ?? "")); a path variable must name a scalar field"
                    : nil
                message = child
            case .unsupported(let reason):
                problem = "'\(name)': \(reason)"
            }
            if let problem {
                errors.append(SchemaError(location: location, message: "path variable '\(text)': \(problem)"))
                return nil
            }
        }
        return steps
    }

    static func location(_ rule: HTTPRule, _ method: MethodSchema) -> String {
        "\(file(rule.origin)): \(method.fullName) (\(rule.httpMethod) \(rule.pattern))"
    }

    static func file(_ origin: HTTPRule.Origin) -> String {
        switch origin {
        case .annotation(let file): return file
        case .yaml(let file): return file
        }
    }
}
