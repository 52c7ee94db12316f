import NIOHTTP1
import EdgeCore

/// The client's address: the socket's peer, or — only as far as the configured trusted
/// proxies vouch for it — the address they put in `X-Forwarded-For`.
///
/// Walks `X-Forwarded-For` from the right (the entry the nearest proxy appended) while the
/// address that sent it is trusted; the first address not trusted is the client. An entry
/// that is not an address stops the walk at the proxy that sent it (that proxy is then taken
/// as the client: it is the last party the edge can vouch for).
public struct ClientAddressResolver: Sendable, Equatable {
    public var trustedProxies: [IPRange]

    public init(trustedProxies: [IPRange] = []) {
        self.trustedProxies = trustedProxies
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.trustedProxies == rhs.trustedProxies }

    public func resolve(peer: IPAddress?, headers: HTTPHeaders) -> IPAddress? {
        guard var current = peer else { return nil }
        guard !trustedProxies.isEmpty, isTrusted(current) else { return current }
        let values = headers[canonicalForm: "x-forwarded-for"]
        for value in values.reversed() {
            let trimmed = value.trimmingSpaces()
            guard let address = IPAddress(Self.stripPort(trimmed)) else { return current }
            current = address
            if !isTrusted(address) { return address }
        }
        return current
    }

    /// What `x-forwarded-proto` tells the backend: the listener's scheme, or — when the peer is a
    /// trusted proxy (a load balancer that terminated TLS) — the `http`/`https` it says.
    public func forwardedProto(peer: IPAddress?, headers: HTTPHeaders, listenerScheme: String) -> String {
        guard let peer, !trustedProxies.isEmpty, isTrusted(peer),
            let claimed = headers[canonicalForm: "x-forwarded-proto"].last?.trimmingSpaces().lowercased(),
            claimed == "https" || claimed == "http"
        else { return listenerScheme }
        return claimed
    }

    package func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// `192.0.2.1:1234` and `[2001:db8::1]:1234` (some proxies append ports) to the address.
    package static func stripPort(_ text: Substring) -> Substring {
        if text.first == "[", let close = text.firstIndex(of: "]") { return text[text.index(after: text.startIndex)..<close] }
        if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon { return text[..<colon] }
        return text
    }
}
