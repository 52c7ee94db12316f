import Foundation

/// A key set URI taken apart once, at configuration time: `http` or `https`, host,
/// port, and the request target.
package struct JWTKeySetURL: Sendable, Equatable {
    package var tls: Bool
    package var host: String
    package var port: Int
    /// Path and query, e.g. `/.well-known/jwks.json`.
    package var target: String

    /// Nil (with the reason) for anything but an absolute http(s) URL with a host.
    package static func parse(_ text: String) -> Result<JWTKeySetURL, JWTKeySetFetchError> {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return .failure(JWTKeySetFetchError("'\(text)' is not a URL"))
        }
        guard scheme == "http" || scheme == "https" else { return .failure(JWTKeySetFetchError("the scheme must be http or https, got '\(scheme)'")) }
        guard let host = components.host, !host.isEmpty else { return .failure(JWTKeySetFetchError("'\(text)' has no host")) }
        guard components.user == nil, components.password == nil else { return .failure(JWTKeySetFetchError("credentials in the URL are not supported")) }
        let tls = scheme == "https"
        let port = components.port ?? (tls ? 443 : 80)
        guard (1...65535).contains(port) else { return .failure(JWTKeySetFetchError("port \(port) is out of range")) }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return .success(JWTKeySetURL(tls: tls, host: bareHost, port: port, target: target))
    }

    /// The `Host` header: the host, and the port when it is not the scheme's default.
    package var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// SNI and certificate name check apply to names, not IP literals.
    package var isIPLiteral: Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }
}

/// Why a key set could not be fetched (or its URL not used): a message for the log and `edge validate`.
public struct JWTKeySetFetchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
