import NIOCore
import NIOHTTP1
import EdgeConfig
import EdgeCore
import EdgeUpstream

/// CORS (the Fetch standard's CORS protocol) for one route: answers preflights itself
/// (`204`, or `403` when the origin, method or headers are not allowed) and puts the
/// `Access-Control-*` headers on the route's responses for allowed origins. Every response
/// of the route carries `Vary: Origin`; a disallowed origin gets no CORS headers at all.
package struct CORSPolicy: RequestPolicy {
    package var name: String { "cors" }

    package let origins: CORSOrigins
    package let allowMethods: Set<String>
    /// `nil`: the methods the path has.
    package let allowMethodsValue: String?
    /// Lower-case; empty: whatever a preflight asks for.
    package let allowHeaders: Set<String>
    package let allowHeadersValue: String?
    package let exposeHeadersValue: String?
    package let allowCredentials: Bool
    package let maxAgeValue: String?

    package init(_ config: CORSConfig) {
        origins = CORSOrigins(config.allowOrigins)
        allowMethods = Set(config.allowMethods)
        allowMethodsValue = config.allowMethods.isEmpty ? nil : config.allowMethods.joined(separator: ", ")
        allowHeaders = Set(config.allowHeaders)
        allowHeadersValue = config.allowHeaders.isEmpty ? nil : config.allowHeaders.joined(separator: ", ")
        exposeHeadersValue = config.exposeHeaders.isEmpty ? nil : config.exposeHeaders.joined(separator: ", ")
        allowCredentials = config.allowCredentials
        maxAgeValue = config.maxAge.map { String($0.nanoseconds / 1_000_000_000) }
    }

    /// Request headers a browser may send without asking (the CORS-safelisted ones).
    package static let safelisted: Set<String> = ["accept", "accept-language", "content-language", "content-type", "range"]

    package func evaluate(_ exchange: inout PolicyExchange) -> PolicyVerdict {
        guard let origin = exchange.head.headers.first(name: "origin") else {
            exchange.responseHeaders.append(("vary", "Origin"))
            return .proceed
        }
        guard exchange.isPreflight else {
            exchange.responseHeaders.reserveCapacity(exchange.responseHeaders.count + 3)
            exchange.responseHeaders.append(("vary", "Origin"))
            guard origins.allows(origin) else {
                exchange.corsRejected = true
                return .proceed
            }
            allowOrigin(origin, &exchange)
            if let exposeHeadersValue { exchange.responseHeaders.append(("access-control-expose-headers", exposeHeadersValue)) }
            return .proceed
        }
        exchange.responseHeaders.append(("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"))
        guard origins.allows(origin) else {
            exchange.corsRejected = true
            exchange.refusalReason = "origin_not_allowed"
            return .refuse(Self.refusal("origin \(Self.printable(origin)) is not allowed"))
        }
        let method = exchange.head.headers.first(name: "access-control-request-method") ?? ""
        let methodAllowed = exchange.route != nil && (allowMethods.isEmpty ? exchange.pathMethods.contains(method) : allowMethods.contains(method))
        guard methodAllowed else {
            exchange.refusalReason = "method_not_allowed"
            return .refuse(Self.refusal("method \(Self.printable(method)) is not allowed for this path"))
        }
        var asked: [String] = []
        for value in exchange.head.headers[canonicalForm: "access-control-request-headers"] {
            for name in value.split(separator: ",") {
                let header = name.trimmingSpaces().lowercased()
                if !header.isEmpty { asked.append(header) }
            }
        }
        if !allowHeaders.isEmpty, !allowHeaders.contains("*") {
            if let refused = asked.first(where: { !allowHeaders.contains($0) && !Self.safelisted.contains($0) }) {
                exchange.refusalReason = "header_not_allowed"
                return .refuse(Self.refusal("request header \(Self.printable(refused)) is not allowed"))
            }
        }
        allowOrigin(origin, &exchange)
        exchange.responseHeaders.append(("access-control-allow-methods", allowMethodsValue ?? exchange.pathMethods.joined(separator: ", ")))
        let headersValue = (allowHeaders.isEmpty || allowHeaders.contains("*")) ? asked.joined(separator: ", ") : allowHeadersValue
        if let headersValue, !headersValue.isEmpty { exchange.responseHeaders.append(("access-control-allow-headers", headersValue)) }
        if let maxAgeValue { exchange.responseHeaders.append(("access-control-max-age", maxAgeValue)) }
        return .answer(.noContent)
    }

    private func allowOrigin(_ origin: String, _ exchange: inout PolicyExchange) {
        // `*` only without credentials; with them the origin itself (browsers require it).
        exchange.responseHeaders.append(("access-control-allow-origin", origins.any && !allowCredentials ? "*" : origin))
        if allowCredentials { exchange.responseHeaders.append(("access-control-allow-credentials", "true")) }
    }

    package static func refusal(_ message: String) -> EdgeError {
        EdgeError(code: .permissionDenied, message: "CORS preflight refused: " + message)
    }

    /// A client's value in an error message: printable ASCII, at most 100 characters.
    package static func printable(_ value: String) -> String {
        let cleaned = String(value.unicodeScalars.prefix(100).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return "'" + cleaned + "'"
    }
}
