import NIOCore
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// What the server shares with every connection: the transcoder, the upstream
/// client and the policies. Immutable and `Sendable`; read on each connection's loop.
public struct RequestContext<Transcoder: RequestTranscoding>: Sendable {
    public var transcoder: Transcoder
    public var upstream: any UpstreamCalling
    /// Streaming calls; by default the unary upstream when it also streams. `nil`:
    /// streaming routes answer 501.
    public var streamingUpstream: (any UpstreamStreaming)?
    public var limits: HTTPLimits
    public var metadataPolicy: MetadataPolicy
    public var metrics: EdgeMetrics?
    public var detailsRenderer: StatusDetailsRenderer?

    public init(
        transcoder: Transcoder,
        upstream: any UpstreamCalling,
        streamingUpstream: (any UpstreamStreaming)? = nil,
        limits: HTTPLimits = .defaults,
        metadataPolicy: MetadataPolicy = .init(),
        metrics: EdgeMetrics? = nil,
        detailsRenderer: StatusDetailsRenderer? = nil
    ) {
        self.transcoder = transcoder
        self.upstream = upstream
        self.streamingUpstream = streamingUpstream ?? (upstream as? any UpstreamStreaming)
        self.limits = limits
        self.metadataPolicy = metadataPolicy
        self.metrics = metrics
        self.detailsRenderer = detailsRenderer
    }
}
