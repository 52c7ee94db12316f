import NIOCore

public struct UpstreamRequest: Sendable {
    /// `/pkg.Service/Method`
    public var path: String
    /// The fully qualified service name (`pkg.Service`), which picks the cluster.
    public var service: String
    /// Lower-case names; binary values under names ending in `-bin`, base64-encoded.
    public var metadata: [(name: String, value: String)]
    /// The serialized request message, without the 5-byte gRPC frame header.
    public var message: ByteBuffer
    public var deadline: NIODeadline
    /// Sees each attempt (traced calls only).
    public var attemptObserver: (any UpstreamAttemptObserver)?

    public init(
        path: String, service: String, metadata: [(name: String, value: String)], message: ByteBuffer, deadline: NIODeadline,
        attemptObserver: (any UpstreamAttemptObserver)? = nil
    ) {
        self.path = path
        self.service = service
        self.metadata = metadata
        self.message = message
        self.deadline = deadline
        self.attemptObserver = attemptObserver
    }
}
