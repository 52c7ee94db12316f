import Logging
import NIOConcurrencyHelpers
import NIOCore
import EdgeCore

/// Reloads the gateway: loads and validates a new ``GatewaySnapshot`` off the
/// request path, then swaps it in. Reloads run one at a time, in the order asked.
///
/// A configuration that does not load is refused: its problems are logged and
/// returned, and the current snapshot stays in force. After a swap, requests
/// already matched finish on the old snapshot; its upstream pool (when the new
/// snapshot has its own) is closed once no call can still be using it: after the
/// old configuration's longest `max_timeout`, and once its streams have ended.
public final class GatewayReloader: Sendable {
    public let store: GatewaySnapshotStore
    private let loader: GatewayLoader
    private let group: any EventLoopGroup
    private let logger: Logger
    /// The last reload asked for; the next one waits for it.
    private let queue = NIOLockedValueBox<Task<ReloadOutcome, Never>?>(nil)
    /// The public listener's connection cap, which follows `listen.max_connections`.
    private let connectionLimit: ListenerConnectionLimit?

    public init(
        store: GatewaySnapshotStore, loader: GatewayLoader, group: any EventLoopGroup, logger: Logger,
        connectionLimit: ListenerConnectionLimit? = nil
    ) {
        self.store = store
        self.loader = loader
        self.group = group
        self.logger = logger
        self.connectionLimit = connectionLimit
    }

    /// Loads the configuration file again and swaps it in if it is valid.
    /// - Parameter reason: for the log (`SIGHUP`, `file change`, `admin`).
    @discardableResult
    public func reload(reason: String) async -> ReloadOutcome {
        let task = queue.withLockedValue { last -> Task<ReloadOutcome, Never> in
            let previous = last
            let next = Task { [self] in
                _ = await previous?.value
                return await perform(reason: reason)
            }
            last = next
            return next
        }
        return await task.value
    }

    private func perform(reason: String) async -> ReloadOutcome {
        let current = store.current
        let generation = current.generation + 1
        logger.info("reloading", metadata: ["reason": "\(reason)", "source": "\(loader.sourceName)"])
        let next: GatewaySnapshot
        do {
            next = try await loader.load(generation: generation, previous: current)
        } catch {
            let problems = (error as? GatewayLoadError)?.problems ?? ["\(error)"]
            logger.error("reload refused; the current configuration stays in force", metadata: [
                "generation": "\(current.generation)", "problems": "\(problems.count)",
            ])
            for problem in problems { logger.error("reload problem: \(problem)") }
            return .refused(problems: problems)
        }
        // listen.tls (see ListenerTLS) and listen.max_connections reload; the rest of listen
        // waits for a restart.
        var nextListen = next.config.listen
        nextListen.server.tls = current.config.listen.server.tls
        nextListen.server.maxConnections = current.config.listen.server.maxConnections
        if nextListen != current.config.listen {
            logger.warning("listen changes take effect at the next restart")
        }
        let old = store.swap(next)
        connectionLimit?.update(maximum: next.config.listen.server.maxConnections)
        // Key sets of providers the new configuration dropped or changed stop refreshing.
        for provider in old.jwtProviders where !next.jwtProviders.contains(where: { $0 === provider }) { provider.shutdown() }
        logger.info("reloaded", metadata: ["generation": "\(generation)", "routes": "\(next.routes.count)"])
        if old.upstream !== next.upstream { retire(old) }
        return .reloaded(generation: generation, routes: next.routes.count)
    }

    /// Closes the old pool once nothing can use it any more (never cutting a call).
    private func retire(_ old: GatewaySnapshot) {
        old.reachability?.stop()
        let loop = group.next()
        let logger = self.logger
        @Sendable func closeWhenIdle() {
            if old.openStreams.withLockedValue({ $0 }) > 0 {
                loop.scheduleTask(in: .seconds(1)) { closeWhenIdle() }
                return
            }
            old.upstream.close()
            logger.debug("closed the upstream pool of an old configuration", metadata: ["generation": "\(old.generation)"])
        }
        loop.scheduleTask(in: old.maxCallDuration + .seconds(1)) { closeWhenIdle() }
    }
}

/// What a reload did.
public enum ReloadOutcome: Sendable, Equatable {
    case reloaded(generation: Int, routes: Int)
    /// The new configuration was refused (and these are its problems); the old one serves on.
    case refused(problems: [String])
}
