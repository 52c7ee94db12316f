/// The seam for authentication in the document: the security schemes the auth
/// configuration defines and, per route, the requirements that apply and the
/// refusals its policies can answer (401, 403, 429). The generator takes one;
/// ``none`` (no auth configured) documents no security.
public struct OpenAPISecurity: Sendable {
    /// `components.securitySchemes`: name → Security Scheme Object.
    public var schemes: [(String, OpenAPIValue)]
    /// For a route (`pkg.Service.Method`, HTTP method, template text): its
    /// Security Requirement Objects, or nil when it is public.
    public var requirements: @Sendable (_ method: String, _ httpMethod: String, _ pattern: String) -> [OpenAPIValue]?
    /// For a route: the HTTP statuses its policies can refuse with (401, 403, 429, …),
    /// each with a description, and response headers (e.g. rate-limit headers) by name.
    public var refusals: @Sendable (_ method: String, _ httpMethod: String, _ pattern: String) -> [(status: Int, description: String)]
    public var responseHeaders: @Sendable (_ method: String, _ httpMethod: String, _ pattern: String) -> [(String, OpenAPIValue)]

    public init(
        schemes: [(String, OpenAPIValue)] = [],
        requirements: @escaping @Sendable (String, String, String) -> [OpenAPIValue]? = { _, _, _ in nil },
        refusals: @escaping @Sendable (String, String, String) -> [(status: Int, description: String)] = { _, _, _ in [] },
        responseHeaders: @escaping @Sendable (String, String, String) -> [(String, OpenAPIValue)] = { _, _, _ in [] }
    ) {
        self.schemes = schemes
        self.requirements = requirements
        self.refusals = refusals
        self.responseHeaders = responseHeaders
    }

    public static let none = OpenAPISecurity()
}
