import NIOCore

/// What the server shares with every connection: the transcoder, the upstream
/// client and the policies. Immutable and `Sendable`; read on each connection's loop.
public struct RequestContext<Transcoder: RequestTranscoding>: Sendable {
    public var transcoder: Transcoder
    public var upstream: any UpstreamCalling
    public var limits: HTTPLimits
    public var metadataPolicy: MetadataPolicy
    public var metrics: EdgeMetrics?
    public var detailsRenderer: StatusDetailsRenderer?

    public init(
        transcoder: Transcoder,
        upstream: any UpstreamCalling,
        limits: HTTPLimits = .defaults,
        metadataPolicy: MetadataPolicy = .init(),
        metrics: EdgeMetrics? = nil,
        detailsRenderer: StatusDetailsRenderer? = nil
    ) {
        self.transcoder = transcoder
        self.upstream = upstream
        self.limits = limits
        self.metadataPolicy = metadataPolicy
        self.metrics = metrics
        self.detailsRenderer = detailsRenderer
    }
}
