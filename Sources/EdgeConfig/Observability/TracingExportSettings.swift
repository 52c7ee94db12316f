import NIOCore

/// Where and how ``SpanExporter`` sends spans: OTLP/HTTP with protobuf bodies to `<endpoint>/v1/traces`.
public struct TracingExportSettings: Sendable, Equatable {
    /// `otlp_endpoint` as configured (`http://host:port`, optionally with a path prefix).
    public var endpoint: String
    public var host: String
    public var port: Int
    /// The request path: the endpoint's path (if any) followed by `/v1/traces`.
    public var path: String
    /// The resource's `service.name`.
    public var serviceName: String
    /// Spans per request, and the size at which a loop hands its buffer over before the interval ends.
    public var maxBatchSpans: Int
    /// How long a loop's spans wait at most before they are handed over (and a request is made).
    public var flushInterval: TimeAmount
    /// Spans waiting to be sent, all loops together; beyond it new spans are dropped and counted.
    public var maxQueueSpans: Int
    public var connectTimeout: TimeAmount
    /// From writing a request to its response's end; then the connection is closed and the batch counted failed.
    public var requestTimeout: TimeAmount
    /// After a failed request, the wait before the next one (spans keep queueing, up to the bound).
    public var retryDelay: TimeAmount
    /// How long ``SpanExporter/shutdown()`` waits for the last spans to be sent.
    public var shutdownTimeout: TimeAmount

    public struct InvalidEndpoint: Error, CustomStringConvertible, Equatable {
        public var endpoint: String
        public var reason: String
        public var description: String { "otlp_endpoint \"\(endpoint)\": \(reason)" }
    }

    /// Settings for `otlp_endpoint` (e.g. `http://127.0.0.1:4318`); throws ``InvalidEndpoint`` naming what is wrong.
    public init(otlpEndpoint endpoint: String, serviceName: String) throws {
        let invalid = { (reason: String) in InvalidEndpoint(endpoint: endpoint, reason: reason) }
        var rest = Substring(endpoint)
        if rest.hasPrefix("https://") {
            throw invalid("https is not supported yet; use http:// (a collector on the same host or network)")
        }
        guard rest.hasPrefix("http://") else { throw invalid("must start with http://") }
        rest = rest.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        var prefix = String(rest.dropFirst(authority.count))
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard !authority.isEmpty else { throw invalid("has no host") }
        guard !authority.contains("@"), !authority.contains("?"), !authority.contains("#"), !prefix.contains("?"),
            !prefix.contains("#")
        else { throw invalid("must be http://host[:port][/path], without user info, query or fragment") }
        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("has an unclosed IPv6 bracket") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw invalid("has text after the IPv6 address") }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty else { throw invalid("has no host") }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("port \"\(portText)\" is not a number from 1 to 65535")
            }
            port = value
        }
        guard !serviceName.isEmpty else { throw invalid("service_name is empty") }
        self.endpoint = endpoint
        self.host = String(host)
        self.port = port
        self.path = prefix + "/v1/traces"
        self.serviceName = serviceName
        self.maxBatchSpans = 512
        self.flushInterval = .seconds(1)
        self.maxQueueSpans = 4096
        self.connectTimeout = .seconds(2)
        self.requestTimeout = .seconds(10)
        self.retryDelay = .seconds(1)
        self.shutdownTimeout = .seconds(5)
    }

    /// The `Host` header value.
    package var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}
