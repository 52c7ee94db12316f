/// What a request offers to build limit keys from; the rate-limit policy implements it over the
/// request head and what earlier policies (client address, API key, JWT) established.
public protocol RateLimitKeySource {
    var clientIP: String? { get }
    var consumer: String? { get }
    /// The matched route as configured (`GET /v1/products/{id}`).
    var route: String { get }
    /// The gRPC method (`shop.v1.Catalog/GetProduct`).
    var method: String { get }
    func claim(_ name: String) -> String?
    /// The first value of a header (lowercase name).
    func header(_ name: String) -> String?
}
