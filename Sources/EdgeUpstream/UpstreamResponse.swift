import NIOCore
import EdgeCore

public struct UpstreamResponse: Sendable {
    public var status: GRPCStatus
    /// Response header metadata (pseudo-headers and gRPC/HTTP reserved headers removed).
    public var headers: [(name: String, value: String)]
    /// Trailer metadata (`grpc-status`, `grpc-message`, `grpc-status-details-bin` removed).
    public var trailers: [(name: String, value: String)]
    /// The response message without its frame header, when the call returned one.
    public var message: ByteBuffer?
    /// The cluster, attempts and time of the call (`nil` when no cluster took it).
    public var summary: UpstreamCallSummary?

    public init(status: GRPCStatus, headers: [(name: String, value: String)] = [], trailers: [(name: String, value: String)] = [], message: ByteBuffer? = nil) {
        self.status = status
        self.headers = headers
        self.trailers = trailers
        self.message = message
    }
}
