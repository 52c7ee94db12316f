import NIOCore

/// How a route's messages flow, resolved once per route at load time so the
/// request handler decides with one check whether a request takes the unary path.
public struct RouteStreaming: Sendable, Equatable {
    /// The request body is a stream of messages (NDJSON, a JSON array, or raw HttpBody chunks).
    public var clientStreaming: Bool
    /// The response is a stream of messages (NDJSON, SSE, a JSON array, or raw HttpBody data).
    public var serverStreaming: Bool
    /// The request message is (or its `body:` field is) `google.api.HttpBody`: the raw
    /// body of any content type becomes `HttpBody{content_type, data}`.
    public var rawRequest: Bool
    /// The response message is `google.api.HttpBody`: its `data` is the raw HTTP body,
    /// sent with its `content_type`.
    public var rawResponse: Bool

    public init(clientStreaming: Bool = false, serverStreaming: Bool = false, rawRequest: Bool = false, rawResponse: Bool = false) {
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
        self.rawRequest = rawRequest
        self.rawResponse = rawResponse
    }

    /// A plain unary JSON route.
    public static let unary = RouteStreaming()

    /// Either side streams: the call goes through ``UpstreamStreaming``.
    public var isStreaming: Bool { clientStreaming || serverStreaming }

    /// Neither streaming nor raw: the unary fast path.
    public var isPlain: Bool { !(clientStreaming || serverStreaming || rawRequest || rawResponse) }
}

/// A raw HTTP body taken from a `google.api.HttpBody` response.
public struct RawBody: Sendable {
    public var contentType: String
    public var data: ByteBuffer

    public init(contentType: String, data: ByteBuffer) {
        self.contentType = contentType
        self.data = data
    }
}
