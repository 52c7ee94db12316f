import DescriptorLoader
import NIOCore
import Transcoder
import EdgeConfig
import EdgePolicy

/// Generates the OpenAPI 3.1 document of what the edge serves: from the loaded
/// schema, the compiled route table and each route's resolved settings (JSON
/// options, stream format, body limit), so the document shows the edge's real
/// behaviour. Runs at load time (start and every reload); clarity over speed.
public struct OpenAPIGenerator {
    public struct Options: Sendable {
        public var title: String
        public var version: String
        /// Document the implicit `POST /pkg.Service/Method` routes too.
        public var includeDefaultRoutes: Bool

        public init(title: String = "edge", version: String = "1", includeDefaultRoutes: Bool = false) {
            self.title = title
            self.version = version
            self.includeDefaultRoutes = includeDefaultRoutes
        }
    }

    /// HTTP methods an OpenAPI Path Item can hold; routes with other (custom) methods are listed under `x-edge-undocumented-routes`.
    package static let documentableMethods = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]
    package static let statusComponent = "google.rpc.Status"

    package let schema: Schema
    package let routes: [Route]
    package let policies: RoutePolicies
    package let security: OpenAPISecurity
    package let options: Options

    public init(schema: Schema, table: RouteTable, policies: RoutePolicies, security: OpenAPISecurity = .none, options: Options = .init()) {
        self.schema = schema
        self.routes = table.routes
        self.policies = policies
        self.security = security
        self.options = options
    }

    public func document() -> OpenAPIValue {
        var schemas = OpenAPISchemaSet(schema: schema)
        schemas.reserve(Self.statusComponent, Self.statusSchema)
        var paths: [(String, OpenAPIObject)] = []
        var operationIDs = Set<String>()
        var usedTags: [String] = []
        var undocumented: [OpenAPIValue] = []
        let tagNames = Self.tagNames(for: routes.map(\.method.serviceName))

        for route in routes {
            if route.isDefaultRoute && !options.includeDefaultRoutes { continue }
            guard Self.documentableMethods.contains(route.httpMethod) else {
                undocumented.append(.string(route.description))
                continue
            }
            let tag = tagNames[route.method.serviceName] ?? route.method.serviceName
            if !usedTags.contains(tag) { usedTags.append(tag) }
            let (path, operation) = self.operation(for: route, tag: tag, schemas: &schemas, operationIDs: &operationIDs)
            if let index = paths.firstIndex(where: { $0.0 == path }) {
                paths[index].1.set(route.httpMethod.lowercased(), operation)
            } else {
                var item = OpenAPIObject()
                item.set(route.httpMethod.lowercased(), operation)
                paths.append((path, item))
            }
        }

        var document = OpenAPIObject()
        document.set("openapi", "3.1.0")
        var info = OpenAPIObject()
        info.set("title", options.title)
        info.set("version", options.version)
        info.set(
            "description",
            "The JSON API of the edge gateway, generated from the gRPC schema it serves (proto3 JSON mapping). "
                + "Errors are google.rpc.Status JSON.")
        document.set("info", info.value)
        document.set("tags", .array(usedTags.map { tag in
            var object = OpenAPIObject([("name", .string(tag))])
            if let service = tagNames.first(where: { $0.value == tag })?.key {
                object.set("description", OpenAPIComment(schema.docs.comment(.service(service))).text)
                object.set("x-grpc-service", service)
            }
            return object.value
        }))
        document.set("paths", .object(paths.map { ($0.0, $0.1.value) }))
        var components = OpenAPIObject()
        components.set("schemas", .object(schemas.components))
        if !security.schemes.isEmpty { components.set("securitySchemes", .object(security.schemes)) }
        document.set("components", components.value)
        if !undocumented.isEmpty { document.set("x-edge-undocumented-routes", .array(undocumented)) }
        return document.value
    }

    // MARK: - Operations

    private func operation(
        for route: Route, tag: String, schemas: inout OpenAPISchemaSet, operationIDs: inout Set<String>
    ) -> (String, OpenAPIValue) {
        let method = route.method
        let settings = policies.settings(method: method.fullName, httpMethod: route.httpMethod, pattern: route.pattern)
        let print = settings.printOptions
        var input = OpenAPISchemaStyle(direction: .input, options: print, parse: settings.parseOptions)
        input.partial = route.httpMethod == "PATCH"
        let output = OpenAPISchemaStyle(direction: .output, options: print)
        let query = OpenAPIQueryParameters.parameters(for: route, schema: schema, useProtoNames: print.useProtoNames)
        let path = OpenAPIPath(template: route.template, reserved: Set(query.map(\.name)))

        var operation = OpenAPIObject()
        operation.set("tags", .array([.string(tag)]))
        let comment = OpenAPIComment(schema.docs.comment(.method(method.fullName)))
        operation.set("summary", comment.summary ?? method.name)
        var description = comment.text.map { [$0] } ?? []
        description.append("gRPC: `\(method.grpcPath)`" + (route.isDefaultRoute ? " (the default route every method has)." : "."))
        operation.set("description", description.joined(separator: "\n\n"))
        operation.set("operationId", Self.operationID(for: route, tag: tag, used: &operationIDs))

        var parameters: [OpenAPIValue] = []
        for parameter in path.parameters {
            parameters.append(pathParameter(parameter, route: route, schemas: &schemas, style: input))
        }
        for parameter in query {
            parameters.append(queryParameter(parameter, schemas: &schemas, style: input))
        }
        if !parameters.isEmpty { operation.set("parameters", .array(parameters)) }

        let streaming = SchemaTranscoder.streaming(of: route).streaming
        if let body = requestBody(for: route, streaming: streaming, schemas: &schemas, style: input) {
            operation.set("requestBody", body)
        }
        operation.set("responses", responses(for: route, settings: settings, streaming: streaming, schemas: &schemas, style: output))
        operation.flag(
            "deprecated",
            schema.docs.isDeprecated(.method(method.fullName)) || schema.docs.isDeprecated(.service(method.serviceName)))
        if let requirements = security.requirements(method.fullName, route.httpMethod, route.pattern) {
            operation.set("security", .array(requirements))
        }
        operation.set("x-grpc-method", method.fullName)
        operation.set("x-edge-route", route.httpMethod + " " + route.pattern)
        return (path.path, operation.value)
    }

    private func pathParameter(
        _ parameter: OpenAPIPath.Parameter, route: Route, schemas: inout OpenAPISchemaSet, style: OpenAPISchemaStyle
    ) -> OpenAPIValue {
        var object = OpenAPIObject([("name", .string(parameter.name)), ("in", .string("path")), ("required", .bool(true))])
        let leaf = Self.field(at: parameter.fieldPath, from: route.method.inputType, in: schema)
        if parameter.wholeVariable, let (field, owner) = leaf {
            var value = schemas.field(field, of: owner, style: style)
            if case .object(let members) = value, field.type == .string {
                var refined = OpenAPIObject(members)
                if !refined.contains("minLength") { refined.set("minLength", .int(1)) }
                value = refined.value
            }
            object.set("schema", Self.urlForm(Self.withoutDescription(value)))
            object.set("description", Self.description(of: value) ?? "`\(parameter.fieldPath.joined(separator: "."))`")
        } else if parameter.rest {
            object.set("schema", .object([("type", .string("string")), ("minLength", .int(0))]))
            object.set(
                "description",
                "The rest of the path, slashes included (`\(parameter.variableText)`); send its slashes as they are, not percent-encoded. "
                    + "OpenAPI cannot express a parameter over several segments: clients that encode `/` send a different path.")
            object.set("x-edge-multi-segment", .bool(true))
        } else {
            var segment = OpenAPIObject([("type", .string("string")), ("pattern", .string("^[^/]+$"))])
            if let (field, owner) = leaf, let given = schemas.segmentSchema(of: field, in: owner, position: parameter.segmentPosition),
                case .object(let members) = given
            {
                for (key, value) in members { segment.set(key, value) }
            }
            object.set("schema", segment.value)
            let bound = parameter.fieldPath.isEmpty
                ? "a path segment the route matches but binds to no field"
                : "one segment of `\(parameter.variableText)`: the edge sets `\(parameter.fieldPath.joined(separator: "."))` to the segments it covers, joined with `/`"
            var text = "A single path segment: \(bound)."
            if let (field, owner) = leaf, let comment = OpenAPIComment(schema.docs.comment(.field(message: owner.fullName, name: field.name))).text {
                text += "\n\n" + comment
            }
            object.set("description", text)
        }
        return object.value
    }

    private func queryParameter(_ parameter: OpenAPIQueryParameters.Parameter, schemas: inout OpenAPISchemaSet, style: OpenAPISchemaStyle) -> OpenAPIValue {
        var object = OpenAPIObject([("name", .string(parameter.name)), ("in", .string("query"))])
        let value = schemas.field(parameter.field, of: parameter.owner, style: style)
        if parameter.isMap {
            object.set("style", "deepObject")
            object.set("explode", .bool(true))
        } else if parameter.field.isRepeated {
            object.set("style", "form")
            object.set("explode", .bool(true))
        }
        let behavior = schema.docs.fieldBehavior(message: parameter.owner.fullName, field: parameter.field.name)
        if behavior.contains(.required) && !parameter.name.contains(".") { object.set("required", .bool(true)) }
        if let text = Self.description(of: value) { object.set("description", text) }
        if schema.docs.isDeprecated(.field(message: parameter.owner.fullName, name: parameter.field.name)) {
            object.set("deprecated", .bool(true))
        }
        object.set("schema", Self.urlForm(Self.withoutDescription(value)))
        return object.value
    }

    private func requestBody(
        for route: Route, streaming: RouteStreaming, schemas: inout OpenAPISchemaSet, style: OpenAPISchemaStyle
    ) -> OpenAPIValue? {
        let itemSchema: OpenAPIValue
        switch route.body {
        case .none: return nil
        case .wholeRequest: itemSchema = schemas.message(route.method.inputType, style: style)
        case .field(let field):
            guard let owner = schema.message(route.method.inputType) else { return nil }
            itemSchema = Self.withoutDescription(schemas.field(field, of: owner, style: style))
        }
        var content = OpenAPIObject()
        if streaming.rawRequest {
            content.set("*/*", .object([("schema", Self.binary)]))
            let text = streaming.clientStreaming
                ? "The raw body, any content type: the edge sends it as google.api.HttpBody messages (its Content-Type and bytes), chunk by chunk."
                : "The raw body, any content type: the edge sends it as google.api.HttpBody (its Content-Type and bytes)."
            // An empty body is a stream of no chunks.
            return .object([("description", .string(text)), ("required", .bool(!streaming.clientStreaming)), ("content", content.value)])
        }
        if streaming.clientStreaming {
            content.set("application/x-ndjson", .object([
                ("schema", itemSchema),
                ("x-edge-stream", .string("one JSON message per line")),
            ]))
            content.set("application/json", .object([
                ("schema", .object([("anyOf", .array([.object([("type", .string("array")), ("items", itemSchema)]), itemSchema]))])),
                ("x-edge-stream", .string("a JSON array, one element per message; a single JSON value is a stream of one")),
            ]))
            return .object([
                ("description", .string("A stream of request messages: newline-delimited JSON, or a JSON array. An empty body is a stream of none.")),
                ("required", .bool(false)), ("content", content.value),
            ])
        }
        content.set("application/json", .object([("schema", itemSchema)]))
        return .object([("required", .bool(true)), ("content", content.value)])
    }

    private func responses(
        for route: Route, settings: RouteSettings, streaming: RouteStreaming, schemas: inout OpenAPISchemaSet, style: OpenAPISchemaStyle
    ) -> OpenAPIValue {
        var responses = OpenAPIObject()
        var success = OpenAPIObject()
        let headers = security.responseHeaders(route.method.fullName, route.httpMethod, route.pattern)
        if route.httpMethod == "HEAD" {
            success.set("description", "OK (no body).")
        } else if streaming.rawResponse {
            success.set(
                "description",
                streaming.serverStreaming
                    ? "The raw bytes of the google.api.HttpBody messages, streamed, with the first one's content type."
                    : "The raw body of the google.api.HttpBody response, with its content type.")
            success.set("content", .object([("*/*", .object([("schema", Self.binary)]))]))
        } else {
            let item: OpenAPIValue
            if let field = route.responseBody, let owner = schema.message(route.method.outputType) {
                item = Self.withoutDescription(schemas.field(field, of: owner, style: style))
            } else {
                item = schemas.message(route.method.outputType, style: style)
            }
            var content = OpenAPIObject()
            if streaming.serverStreaming {
                success.set("description", "A stream of response messages; a failure after the first is the stream's last item, a google.rpc.Status under `error`.")
                let array = OpenAPIValue.object([("schema", .object([("type", .string("array")), ("items", item)])), ("x-edge-stream", .string("a JSON array, one element per message, written as they arrive"))])
                if settings.streamFormat == .jsonArray { content.set("application/json", array) }
                content.set("application/x-ndjson", .object([("schema", item), ("x-edge-stream", .string("one JSON message per line"))]))
                content.set("text/event-stream", .object([
                    ("schema", .object([("type", .string("string"))])),
                    ("x-edge-stream", .string("Server-Sent Events (with `Accept: text/event-stream`): each message's JSON is an event's data")),
                    ("x-edge-item-schema", item),
                ]))
            } else {
                success.set("description", "OK")
                content.set("application/json", .object([("schema", item)]))
            }
            success.set("content", content.value)
        }
        if !headers.isEmpty { success.set("headers", .object(headers)) }
        responses.set("200", success.value)

        func error(_ status: Int, _ text: String) {
            responses.set(String(status), .object([
                ("description", .string(text)),
                ("content", .object([("application/json", .object([("schema", OpenAPISchemaSet.ref(Self.statusComponent))]))])),
            ]))
        }
        error(400, "Bad input: a path or query value, or a body, that does not fit the request message (INVALID_ARGUMENT); or the backend's INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE.")
        for refusal in security.refusals(route.method.fullName, route.httpMethod, route.pattern) {
            error(refusal.status, refusal.description)
        }
        error(404, "NOT_FOUND from the backend.")
        if case .none = route.body {} else {
            error(413, "The body is larger than \(settings.maxBodyBytes) bytes.")
            if !streaming.rawRequest { error(415, "The Content-Type is not JSON\(streaming.clientStreaming ? " or newline-delimited JSON" : "").") }
        }
        error(503, "The backend is unavailable (UNAVAILABLE: no healthy endpoint, circuit open, connection failed).")
        error(504, "The deadline passed (DEADLINE_EXCEEDED): `grpc-timeout`/`X-Request-Timeout` or the route's timeout (\(Self.seconds(settings.timeout))).")
        responses.set("default", .object([
            ("description", .string("Any other status the backend ends the call with, mapped from its gRPC code (e.g. 401, 403, 409, 429, 500, 501), as google.rpc.Status JSON with its details.")),
            ("content", .object([("application/json", .object([("schema", OpenAPISchemaSet.ref(Self.statusComponent))]))])),
        ]))
        return responses.value
    }

    // MARK: - Helpers

    package static let binary = OpenAPIValue.object([("type", .string("string")), ("format", .string("binary"))])

    /// What the edge writes for every error (``StatusBody``).
    package static let statusSchema = OpenAPIValue.object([
        ("type", .string("object")),
        ("description", .string("google.rpc.Status: the gRPC status code, a message for developers, and typed details (google.rpc.ErrorInfo, BadRequest, …) as Any.")),
        ("properties", .object([
            ("code", .object([("type", .string("integer")), ("format", .string("int32")), ("description", .string("google.rpc.Code"))])),
            ("message", .object([("type", .string("string"))])),
            ("details", .object([("type", .string("array")), ("items", OpenAPIScalarSchema.wellKnown(.any))])),
        ])),
        ("required", .array([.string("code"), .string("message"), .string("details")])),
    ])

    package static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    /// Tags: the service's short name, or its full name where two services share one.
    package static func tagNames(for services: [String]) -> [String: String] {
        var byShort: [String: Set<String>] = [:]
        for service in services { byShort[String(service.split(separator: ".").last ?? ""), default: []].insert(service) }
        var result: [String: String] = [:]
        for service in services {
            let short = String(service.split(separator: ".").last ?? "")
            result[service] = byShort[short]!.count == 1 ? short : service
        }
        return result
    }

    /// `Service_Method`, then `Service_Method_2`, … for further bindings (unique in the document).
    package static func operationID(for route: Route, tag: String, used: inout Set<String>) -> String {
        let base = tag.replacingOccurrences(of: ".", with: "_") + "_" + route.method.name
        var candidate = base
        var number = 2
        while used.contains(candidate) {
            candidate = base + "_\(number)"
            number += 1
        }
        used.insert(candidate)
        return candidate
    }

    package static func field(at path: [String], from messageName: String, in schema: Schema) -> (FieldSchema, MessageSchema)? {
        var message = schema.message(messageName)
        var result: (FieldSchema, MessageSchema)?
        for name in path {
            guard let current = message, let field = current.fields.first(where: { $0.name == name }) else { return nil }
            result = (field, current)
            message = field.typeName.flatMap(schema.message)
        }
        return result
    }

    package static func description(of value: OpenAPIValue) -> String? { value["description"]?.stringValue }

    /// A URL value is text: an int64 parameter is its decimal string (the number form of
    /// request bodies does not apply; its bounds are the pattern's).
    package static func urlForm(_ value: OpenAPIValue) -> OpenAPIValue {
        guard case .object(let members) = value else { return value }
        if case .array(let types)? = value["type"], types == [.string("string"), .string("integer")] {
            var object = OpenAPIObject(members.filter { $0.0 != "minimum" && $0.0 != "maximum" })
            object.set("type", "string")
            return object.value
        }
        if value["type"] == .string("array"), let items = value["items"] {
            var object = OpenAPIObject(members)
            object.set("items", urlForm(items))
            return object.value
        }
        return value
    }

    package static func withoutDescription(_ value: OpenAPIValue) -> OpenAPIValue {
        guard case .object(let members) = value else { return value }
        return .object(members.filter { $0.0 != "description" })
    }
}
