import NIOConcurrencyHelpers
import NIOCore
import EdgeUpstream

/// The upstream client the server runs with when the gateway reloads: each call
/// goes to the pool of the current snapshot. A call started before a swap
/// finishes on the old pool, which stays open until its calls are done (see
/// ``GatewayReloader``).
public struct ReloadingUpstream: UpstreamCalling, UpstreamStreaming {
    public let store: GatewaySnapshotStore

    public init(store: GatewaySnapshotStore) {
        self.store = store
    }

    public func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        store.current.upstream.call(request, policy: policy, on: eventLoop)
    }

    public func call(
        _ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    ) {
        store.current.upstream.call(request, policy: policy, on: eventLoop, completion: completion)
    }

    public func openStream(
        _ head: UpstreamStreamHead, policy: CallPolicy, on eventLoop: any EventLoop, observer: any UpstreamStreamObserver
    ) -> any UpstreamStreamControl {
        store.current.pinnedUpstream.openStream(head, policy: policy, on: eventLoop, observer: observer)
    }
}

/// The calls of one upstream pool, counting its open streams so that a retiring pool
/// knows when it may close. Shared by the snapshots that share the pool; requests
/// matched on a snapshot are called through it (``ReloadingTranscoder/pinnedUpstream(for:)``).
public final class SnapshotUpstream: UpstreamCalling, UpstreamStreaming {
    public let pool: UpstreamPool
    /// Streaming calls opened through this object and not finished yet.
    package let openStreams = NIOLockedValueBox(0)

    package init(pool: UpstreamPool) {
        self.pool = pool
    }

    public func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        pool.call(request, policy: policy, on: eventLoop)
    }

    public func call(
        _ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    ) {
        pool.call(request, policy: policy, on: eventLoop, completion: completion)
    }

    public func openStream(
        _ head: UpstreamStreamHead, policy: CallPolicy, on eventLoop: any EventLoop, observer: any UpstreamStreamObserver
    ) -> any UpstreamStreamControl {
        let openStreams = self.openStreams
        openStreams.withLockedValue { $0 += 1 }
        let counted = CountingStreamObserver(observer) { openStreams.withLockedValue { $0 -= 1 } }
        let control = pool.openStream(head, policy: policy, on: eventLoop, observer: counted)
        // A call that already ended (synchronously) must not be kept alive by its observer.
        if !counted.hasEnded { counted.control = control }
        return counted
    }
}

/// Forwards a stream's events and controls, and tells `onEnd` once when the call is
/// over (finished or cancelled), so a retiring pool knows when it may close.
/// Confined to the call's event loop.
private final class CountingStreamObserver: UpstreamStreamObserver, UpstreamStreamControl {
    private let observer: any UpstreamStreamObserver
    private var onEnd: (() -> Void)?
    var control: (any UpstreamStreamControl)?

    init(_ observer: any UpstreamStreamObserver, onEnd: @escaping () -> Void) {
        self.observer = observer
        self.onEnd = onEnd
    }

    var hasEnded: Bool { onEnd == nil }

    private func ended() {
        onEnd?()
        onEnd = nil
    }

    func upstreamReceivedHeaders(_ headers: [(name: String, value: String)]) { observer.upstreamReceivedHeaders(headers) }
    func upstreamReceivedMessage(_ message: ByteBuffer) { observer.upstreamReceivedMessage(message) }
    func upstreamWritabilityChanged(_ isWritable: Bool) { observer.upstreamWritabilityChanged(isWritable) }
    func upstreamFinished(_ end: UpstreamStreamEnd) {
        ended()
        observer.upstreamFinished(end)
        control = nil
    }

    func send(_ message: ByteBuffer) { control?.send(message) }
    func finishSending() { control?.finishSending() }
    var isWritable: Bool { control?.isWritable ?? false }
    func pauseReading() { control?.pauseReading() }
    func resumeReading() { control?.resumeReading() }
    func cancel() {
        control?.cancel()
        control = nil
        ended()
    }
}
