/// One row of the route table, as `GET /admin/routes` shows it.
public struct RouteDescription: Sendable, Equatable {
    public var httpMethod: String
    public var pattern: String
    /// `pkg.Service.Method`
    public var grpcMethod: String
    public var body: String
    public var responseBody: String
    /// Which cluster serves it (`nil`: none configured).
    public var cluster: String?

    public init(httpMethod: String, pattern: String, grpcMethod: String, body: String = "", responseBody: String = "", cluster: String? = nil) {
        self.httpMethod = httpMethod
        self.pattern = pattern
        self.grpcMethod = grpcMethod
        self.body = body
        self.responseBody = responseBody
        self.cluster = cluster
    }
}
