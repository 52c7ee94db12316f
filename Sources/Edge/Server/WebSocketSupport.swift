import NIOCore

/// Makes the per-connection ``WebSocketUpgradeHandler`` when the server can
/// serve WebSocket streams: its transcoder is a ``WebSocketTranscoding`` and its
/// upstream an ``UpstreamStreaming``. Resolved once per server, so a connection
/// pays for neither check.
struct WebSocketSupport: Sendable {
    let makeUpgradeHandler: @Sendable (HTTPPipelineHandlers) -> any ChannelHandler

    static func make<Transcoder: RequestTranscoding>(shared: RequestContext<Transcoder>) -> WebSocketSupport? {
        guard let upstream = shared.upstream as? any UpstreamStreaming,
            let transcoderType = Transcoder.self as? any WebSocketTranscoding.Type
        else { return nil }
        func support<T: WebSocketTranscoding>(_: T.Type) -> WebSocketSupport? {
            // T is Transcoder, only now known to be a WebSocketTranscoding.
            guard let context = shared as? RequestContext<T> else { return nil }
            return WebSocketSupport { handlers in
                WebSocketUpgradeHandler(shared: context, upstream: upstream, handlers: handlers)
            }
        }
        return support(transcoderType)
    }
}
