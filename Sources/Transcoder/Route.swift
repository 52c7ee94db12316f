import DescriptorLoader

/// One HTTP binding of a gRPC method, validated and compiled by ``RouteTable``.
public final class Route: Sendable, CustomStringConvertible {
    /// Where the request body goes.
    public enum Body: Sendable {
        /// No body (`GET`, `DELETE`, or a rule without `body`).
        case none
        /// `body: "*"`: the body is the whole request message.
        case wholeRequest
        /// `body: "field"`: the body is that top-level field.
        case field(FieldSchema)
    }

    /// A path variable compiled against the request message.
    struct BoundVariable: Sendable {
        /// Field indices from the request message to the leaf (``RequestBindingsSchema`` order).
        let steps: [Int]
        /// The template segments the variable covers; if ``PathTemplate/Variable/endsWithMultiWildcard``
        /// it extends to the end of the request path.
        let segments: Range<Int>
        let toEnd: Bool
        let isMultiSegment: Bool
        /// JSON name path for error messages (`book.name`).
        let jsonPath: String
    }

    public let method: MethodSchema
    /// Upper-case HTTP method (`GET`, or a custom verb's kind).
    public let httpMethod: String
    public let template: PathTemplate
    public let body: Body
    /// The response field sent as the HTTP body, or nil for the whole response.
    public let responseBody: FieldSchema?
    /// The implicit `POST /pkg.Service/Method` (body `*`) every method gets.
    public let isDefaultRoute: Bool
    /// The rule the route came from (nil for default routes).
    public let rule: HTTPRule?

    let inputOrdinal: Int
    let variables: [BoundVariable]

    init(
        method: MethodSchema, httpMethod: String, template: PathTemplate, body: Body, responseBody: FieldSchema?,
        isDefaultRoute: Bool, rule: HTTPRule?, inputOrdinal: Int, variables: [BoundVariable]
    ) {
        self.method = method
        self.httpMethod = httpMethod
        self.template = template
        self.body = body
        self.responseBody = responseBody
        self.isDefaultRoute = isDefaultRoute
        self.rule = rule
        self.inputOrdinal = inputOrdinal
        self.variables = variables
    }

    /// The template text (`/v1/{name=shelves/*}/books`).
    public var pattern: String { template.text }

    /// `*`, the body field's name, or `""`.
    public var bodyText: String {
        switch body {
        case .none: return ""
        case .wholeRequest: return "*"
        case .field(let field): return field.name
        }
    }

    public var description: String { "\(httpMethod) \(pattern) -> \(method.fullName)" }
}
