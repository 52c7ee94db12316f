/// WebSocket support: the method's streaming shape comes from its descriptor;
/// `prepare`/`render` already transcode one message (bindings + one JSON
/// document → wire, one wire message → JSON honouring `response_body`).
extension SchemaTranscoder: WebSocketTranscoding {
    public func streaming(of route: MatchedRoute<Matched>) -> MethodStreaming {
        let method = route.route.route.method
        return MethodStreaming(clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming)
    }
}
