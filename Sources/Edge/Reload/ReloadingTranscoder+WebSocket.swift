/// WebSocket streams under hot reload: the method's streaming shape, from the
/// snapshot the route was matched on (see ``SchemaTranscoder``'s conformance).
extension ReloadingTranscoder: WebSocketTranscoding {
    public func streaming(of route: MatchedRoute<Route>) -> MethodStreaming {
        let method = route.route.matched.route.method
        return MethodStreaming(clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming)
    }
}
