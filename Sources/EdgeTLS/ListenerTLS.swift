import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import EdgeCore

/// The listener's TLS as it changes: which ``ListenerTLSContext`` a new connection
/// gets, and the handlers that put TLS in front of its pipeline.
///
/// Two things replace the context, and the newer wins:
/// - a configuration reload: `follow` returns the current snapshot's context (built
///   and checked while loading, so a reload whose TLS files are broken is refused);
/// - the files changing on disk without a reload: ``startWatching(interval:)`` polls
///   their size, inode and mtime off the event loops and rebuilds. Files caught half
///   way through a rotation (a new certificate, the old key) do not build; the
///   current context stays until the next change, and the failure is logged once.
///
/// Existing connections keep the context they started with.
public final class ListenerTLS: Sendable {
    private struct State {
        var current: ListenerTLSContext
        /// The last context `follow` returned.
        var followed: ListenerTLSContext?
        /// The fingerprint of files that did not build (not retried until they change again).
        var failed: ReloadFileWatcher.Fingerprint?
        var watcher: Task<Void, Never>?
    }

    private let state: NIOLockedValueBox<State>
    private let follow: (@Sendable () -> ListenerTLSContext?)?
    private let logger: Logger

    /// - Parameters:
    ///   - context: the context to start with.
    ///   - follow: the context of the configuration in force (the reloading gateway's
    ///     current snapshot); read for each new connection, a different one is taken.
    public init(_ context: ListenerTLSContext, follow: (@Sendable () -> ListenerTLSContext?)? = nil, logger: Logger = Logger(label: "edge.tls")) {
        self.state = NIOLockedValueBox(State(current: context, followed: follow?()))
        self.follow = follow
        self.logger = logger
    }

    /// Builds the context from `config` (reads the files: not on an event loop).
    public convenience init(config: ListenTLSConfig, logger: Logger = Logger(label: "edge.tls")) throws(TLSFileProblem) {
        self.init(try ListenerTLSContext.load(config), logger: logger)
    }

    /// The context a connection accepted now uses.
    public var current: ListenerTLSContext {
        let latest = follow?()
        return state.withLockedValue { state in
            if let latest, latest !== state.followed {
                state.followed = latest
                state.current = latest
            }
            return state.current
        }
    }

    /// Puts TLS first in a new connection's pipeline: the NIOSSL server handler, the
    /// ``TLSPeerIdentityHandler`` that records the client's verified identity, and the
    /// ``TLSShutdownHandler`` that closes without waiting for a `close_notify` that
    /// cannot come.
    public func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        try pipeline.addHandler(NIOSSLServerHandler(context: current.sslContext))
        try pipeline.addHandler(TLSPeerIdentityHandler())
        try pipeline.addHandler(TLSShutdownHandler())
    }

    /// Rebuilds the context if its files changed since it was built. Blocking; returns
    /// whether a new context was installed.
    @discardableResult
    public func reloadIfFilesChanged() -> Bool {
        let base = current
        let now = ReloadFileWatcher.fingerprint(base.config.files)
        guard now != base.fingerprint, now != state.withLockedValue({ $0.failed }) else { return false }
        let rebuilt: ListenerTLSContext
        do {
            rebuilt = try ListenerTLSContext.load(base.config)
        } catch {
            state.withLockedValue { $0.failed = now }
            logger.error("TLS files changed but cannot be used; still serving the previous certificates", metadata: ["problem": "\(error)"])
            return false
        }
        let installed = state.withLockedValue { state -> Bool in
            // A reload may have installed a newer context meanwhile: that one wins.
            guard state.current === base else { return false }
            state.current = rebuilt
            state.failed = nil
            return true
        }
        if installed { logger.info("TLS certificates reloaded from changed files", metadata: ["certificates": "\(base.config.certificates.count)"]) }
        return installed
    }

    /// Polls the files every `interval()` (read each round) until ``stopWatching()``.
    public func startWatching(interval: @escaping @Sendable () -> Duration) {
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval())
                } catch {
                    return
                }
                guard let self else { return }
                self.reloadIfFilesChanged()
            }
        }
        let previous = state.withLockedValue { state -> Task<Void, Never>? in
            defer { state.watcher = task }
            return state.watcher
        }
        previous?.cancel()
    }

    public func stopWatching() {
        state.withLockedValue { $0.watcher?.cancel(); $0.watcher = nil }
    }
}
