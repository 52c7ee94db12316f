import NIOCore

/// The seam between the HTTP side and the upstream gRPC side: one unary call.
///
/// The server builds an ``UpstreamRequest`` on the event loop of the downstream
/// connection and gets an ``UpstreamResponse`` back on the same loop. The future
/// never fails: transport problems become gRPC statuses (unreachable →
/// UNAVAILABLE, deadline → DEADLINE_EXCEEDED), so the error mapping has one input.
public protocol UpstreamCalling: Sendable {
    func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse>

    /// The same call without a future: `completion` runs exactly once, on `eventLoop`
    /// (possibly before this returns, e.g. when no cluster serves the service). A caller
    /// on `eventLoop` saves the promise, its callback list and the hop of the future
    /// variant. The default implementation wraps ``call(_:policy:on:)``.
    func call(
        _ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    )
}

extension UpstreamCalling {
    public func call(
        _ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    ) {
        self.call(request, policy: policy, on: eventLoop).hop(to: eventLoop).whenComplete { result in
            switch result {
            case .success(let response):
                completion(response)
            case .failure(let error):
                completion(UpstreamResponse(status: GRPCStatus(code: .unavailable, message: "upstream call failed: \(error)")))
            }
        }
    }
}

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

/// A gRPC status as received (or made up by the edge for transport failures).
public struct GRPCStatus: Sendable, Equatable {
    public var code: GRPCStatusCode
    /// `grpc-message`, percent-decoded.
    public var message: String
    /// `grpc-status-details-bin`, base64-decoded: a serialized `google.rpc.Status`.
    public var details: [UInt8]?

    public init(code: GRPCStatusCode, message: String = "", details: [UInt8]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }
}

public enum GRPCStatusCode: Int, Sendable, CaseIterable {
    case ok = 0
    case cancelled = 1
    case unknown = 2
    case invalidArgument = 3
    case deadlineExceeded = 4
    case notFound = 5
    case alreadyExists = 6
    case permissionDenied = 7
    case resourceExhausted = 8
    case failedPrecondition = 9
    case aborted = 10
    case outOfRange = 11
    case unimplemented = 12
    case `internal` = 13
    case unavailable = 14
    case dataLoss = 15
    case unauthenticated = 16
}

/// Per-route call policy: what the route's configuration says about retries.
public struct CallPolicy: Sendable {
    public var retry: RetryPolicy
    /// Whether a failed attempt may be retried at all (idempotent method, or the route allows it).
    public var retriesAllowed: Bool
    public var maxResponseBytes: Int
    /// The route's own retry budget (`routes[].retries.budget`); `nil`: the cluster's.
    public var retryBudget: RetryBudget?

    public init(
        retry: RetryPolicy = .init(), retriesAllowed: Bool = false, maxResponseBytes: Int = 4 << 20,
        retryBudget: RetryBudget? = nil
    ) {
        self.retry = retry
        self.retriesAllowed = retriesAllowed
        self.maxResponseBytes = maxResponseBytes
        self.retryBudget = retryBudget
    }
}

public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first (1 = no retries).
    public var maxAttempts: Int
    public var initialBackoff: TimeAmount
    public var maxBackoff: TimeAmount
    public var backoffMultiplier: Double
    public var retryableCodes: Set<GRPCStatusCode>

    public init(
        maxAttempts: Int = 3,
        initialBackoff: TimeAmount = .milliseconds(25),
        maxBackoff: TimeAmount = .milliseconds(500),
        backoffMultiplier: Double = 2,
        retryableCodes: Set<GRPCStatusCode> = [.unavailable]
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoffMultiplier = backoffMultiplier
        self.retryableCodes = retryableCodes
    }
}
