import NIOCore
import NIOHPACK
import NIOHTTP2
import EdgeCore

/// Runs one unary call to completion on one event loop: attempts, retries with backoff,
/// and the overall deadline. Everything (timers included) happens on `eventLoop`.
///
/// Confined to `eventLoop` (`@unchecked Sendable` only for NIO's `@Sendable` callbacks).
package final class UpstreamCallDriver: UpstreamDeadlineWatched, @unchecked Sendable {
    private let request: UpstreamRequest
    private let policy: CallPolicy
    private let eventLoop: EventLoop
    private let cluster: UpstreamCluster
    /// Called once, on `eventLoop`, with the call's outcome.
    private let completion: @Sendable (UpstreamResponse) -> Void
    /// The request with its 5-byte gRPC frame header, built once for every attempt.
    private let framedMessage: ByteBuffer
    private var attempts = 0
    private var finished = false
    /// The circuit breaker's permit, handed back when the call ends.
    private var permit: CircuitBreaker.Permit = .normal
    /// The call holds one of the cluster's `max_requests` slots, handed back in ``finish(_:)``.
    private var holdsRequestSlot = false
    /// The endpoint of the attempt in flight (outlier detection).
    private var currentEndpoint = 0
    private var currentStream: UpstreamUnaryStream?
    private var backoffTask: Scheduled<Void>?
    /// This loop's connections to the cluster and the timer that watches the deadline.
    private var loopPool: UpstreamLoopPool?
    /// When the call started (its summary's duration).
    private var callStarted = NIODeadline.uptimeNanoseconds(0)
    package var deadlineSlot = -1
    package var deadline: NIODeadline { self.request.deadline }

    package init(
        request: UpstreamRequest, policy: CallPolicy, eventLoop: EventLoop, cluster: UpstreamCluster,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    ) {
        self.request = request
        self.policy = policy
        self.eventLoop = eventLoop
        self.cluster = cluster
        self.completion = completion
        self.framedMessage = GRPCFrame.framed(request.message)
    }

    package func start() {
        self.eventLoop.assertInEventLoop()
        self.callStarted = .now()
        guard self.request.deadline > .now() else {
            self.finished = true
            self.completion(UpstreamResponse(status: GRPCStatus(code: .deadlineExceeded, message: "deadline expired before the upstream call started")))
            return
        }
        guard self.cluster.admitRequest() else {
            self.finished = true
            self.completion(UpstreamResponse(status: self.cluster.overflowStatus))
            return
        }
        guard let permit = self.cluster.admit() else {
            self.finished = true
            self.cluster.releaseRequest()
            self.completion(UpstreamResponse(status: self.cluster.breakerOpenStatus))
            return
        }
        self.permit = permit
        self.holdsRequestSlot = true
        self.budget.recordRequest()
        let loopPool = self.cluster.loopPool(for: self.eventLoop)
        self.loopPool = loopPool
        if self.request.deadline != .distantFuture {
            loopPool.deadlines.watch(self)
        }
        self.startAttempt()
    }

    private func startAttempt() {
        guard !self.finished else { return }
        self.attempts += 1
        self.cluster.stats.update {
            $0.attempts += 1
            if self.attempts > 1 { $0.retries += 1 }
        }
        let (connection, endpoint) = self.loopPool!.next()
        self.currentEndpoint = endpoint
        var headers = self.requestHeaders(authority: connection.authority)
        if let observer = self.request.attemptObserver,
            let traceparent = observer.attemptStarted(
                self.attempts, cluster: self.cluster.config.name, host: connection.endpoint.host, port: connection.endpoint.port)
        {
            // New on every attempt: indexed, it would churn the connection's HPACK table (GRPCRequestHeaders.indexing).
            headers.add(name: "traceparent", value: traceparent, indexing: .nonIndexable)
        }
        let stream = UpstreamUnaryStream(
            requestHeaders: headers,
            requestBody: self.framedMessage,
            maxResponseBytes: self.policy.maxResponseBytes
        ) { [self] result in
            self.attemptEnded(result)
        }
        self.currentStream = stream
        connection.activeStreams += 1
        connection.startUnary(stream)
    }

    /// The route's own retry budget, else the cluster's.
    private var budget: RetryBudget { self.policy.retryBudget ?? self.cluster.budget }

    private func requestHeaders(authority: String) -> HPACKHeaders {
        GRPCRequestHeaders.make(
            path: self.request.path, authority: authority, tls: self.cluster.config.tls, deadline: self.request.deadline,
            metadata: self.request.metadata)
    }

    private func attemptEnded(_ result: UpstreamAttemptResult) {
        guard !self.finished else { return }
        self.currentStream = nil
        let attempt: UpstreamRetryDecision.Attempt
        switch result {
        case .response(let response):
            self.cluster.outliers.record(endpoint: self.currentEndpoint, code: response.status.code, on: self.eventLoop)
            guard response.status.code != .ok else {
                self.request.attemptObserver?.attemptEnded(self.attempts, status: response.status, retrying: false)
                self.finish(response)
                return
            }
            attempt = .init(status: response.status, notProcessed: false)
            self.decideRetry(attempt, otherwise: response)
        case .failure(let failed):
            self.cluster.outliers.record(endpoint: self.currentEndpoint, code: failed.status.code, on: self.eventLoop)
            attempt = failed
            self.decideRetry(attempt, otherwise: UpstreamResponse(status: failed.status))
        }
    }

    private func decideRetry(_ attempt: UpstreamRetryDecision.Attempt, otherwise response: UpstreamResponse) {
        let budget = self.budget
        let outcome = UpstreamRetryDecision.decide(
            after: attempt,
            attemptsMade: self.attempts,
            policy: self.policy,
            now: .now(),
            deadline: self.request.deadline,
            withdrawBudget: { budget.tryWithdrawRetry() }
        )
        if let observer = self.request.attemptObserver {
            if case .finish = outcome {
                observer.attemptEnded(self.attempts, status: attempt.status, retrying: false)
            } else {
                observer.attemptEnded(self.attempts, status: attempt.status, retrying: true)
            }
        }
        switch outcome {
        case .finish:
            self.finish(response)
        case .retry(let delay) where delay == .zero:
            self.startAttempt()
        case .retry(let delay):
            self.backoffTask = self.eventLoop.scheduleTask(in: delay) { [self] in
                self.backoffTask = nil
                self.startAttempt()
            }
        }
    }

    package func deadlineExpired() {
        guard !self.finished else { return }
        if self.currentStream != nil {
            // The attempt in flight got no answer in time: that endpoint is slow.
            self.cluster.outliers.record(endpoint: self.currentEndpoint, code: .deadlineExceeded, on: self.eventLoop)
            self.request.attemptObserver?.attemptEnded(
                self.attempts, status: GRPCStatus(code: .deadlineExceeded, message: "deadline exceeded"), retrying: false)
        }
        self.currentStream?.cancel()
        self.currentStream = nil
        self.backoffTask?.cancel()
        let suffix = self.attempts > 1 ? " after \(self.attempts) attempts" : ""
        self.finish(UpstreamResponse(status: GRPCStatus(code: .deadlineExceeded, message: "upstream call to \(self.request.path) exceeded its deadline\(suffix)")))
    }

    private func finish(_ response: UpstreamResponse) {
        guard !self.finished else { return }
        self.finished = true
        var response = response
        response.summary = UpstreamCallSummary(
            cluster: self.cluster.config.name, attempts: self.attempts,
            duration: self.attempts == 0 ? .zero : .now() - self.callStarted)
        self.loopPool?.deadlines.unwatch(self)
        self.cluster.record(response.status.code, permit: self.permit)
        if self.holdsRequestSlot {
            self.holdsRequestSlot = false
            self.cluster.releaseRequest()
        }
        self.completion(response)
    }
}
