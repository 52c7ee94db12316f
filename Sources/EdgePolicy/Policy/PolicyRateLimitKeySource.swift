import NIOHTTP1

/// A request's limit keys as the policy chain knows them: the client address through the trusted
/// proxies, the verified consumer and subject, the matched route and method, the head's headers.
/// Claims other than `sub` are not known to the chain yet (`claim:NAME` then does not apply).
package struct PolicyRateLimitKeySource: RateLimitKeySource {
    package let clientIP: String?
    package let consumer: String?
    package let route: String
    package let method: String
    private let subject: String?
    private let headers: HTTPHeaders

    package init(exchange: inout PolicyExchange) {
        // The peer's text is formatted once per connection; only an address from a trusted proxy's header is formatted here.
        clientIP = exchange.connection.text(of: exchange.clientAddress())
        consumer = exchange.identity.consumer
        subject = exchange.identity.subject
        route = exchange.route?.label ?? "-"
        method = exchange.route?.method ?? "-"
        headers = exchange.head.headers
    }

    package func claim(_ name: String) -> String? { name == "sub" ? subject : nil }

    package func header(_ name: String) -> String? {
        headers.first(name: name)
    }
}
