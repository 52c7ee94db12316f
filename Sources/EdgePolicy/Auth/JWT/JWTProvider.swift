import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import EdgeConfig
import EdgeCore

/// A configured JWT provider at run time: verifies tokens synchronously on the
/// request's event loop (never blocking: a token seen before is a per-loop cache hit,
/// a new one a signature check with the keys in hand), and keeps its key set fresh
/// off the request path: a URI refetched when its `Cache-Control: max-age` (default
/// ``JWTProviderConfig/keySetCacheDuration``) runs out, a file re-read when it
/// changes, and an unknown `kid` refetching at once unless the last attempt was less
/// than ``JWTProviderConfig/refetchCooldown`` ago. A failed fetch keeps the last good
/// keys. Built for one configuration; a reload builds a new provider unless the
/// configuration is equal (``JWTProviderConfig`` is `Equatable`).
public final class JWTProvider: Sendable {
    public let config: JWTProviderConfig
    private let verifier: JWTTokenVerifier
    private let fetchLoop: any EventLoop
    private let caches: [ObjectIdentifier: NIOLoopBoundBox<JWTVerifiedTokenCache>]
    private let state: NIOLockedValueBox<State>
    private let keySetURL: JWTKeySetURL?
    private let threadPool: NIOThreadPool
    private let logger: Logger

    package struct State {
        package var keys: JWTKeySet?
        package var secret: JWTVerificationKey?
        /// +1 whenever `keys` or `secret` change.
        package var generation = 0
        package var inFlight: EventLoopPromise<Void>?
        /// The last fetch attempt (request-triggered, scheduled or at start): the cooldown counts from it.
        package var lastAttempt: NIODeadline?
        package var refresh: Scheduled<Void>?
        package var sslContext: NIOSSLContext?
        package var fileFingerprint: [Int64]?
        package var stopped = false
        package var consecutiveFailures = 0
        package var stats = JWTProviderStats()
    }

    /// - Parameters:
    ///   - group: the event loops requests are verified on (each gets its own token cache);
    ///     the fetches run on one of them.
    public init(config: JWTProviderConfig, group: any EventLoopGroup, threadPool: NIOThreadPool = .singleton, logger: Logger = Logger(label: "edge.jwt")) {
        self.config = config
        self.verifier = JWTTokenVerifier(config: config)
        self.fetchLoop = group.next()
        var caches: [ObjectIdentifier: NIOLoopBoundBox<JWTVerifiedTokenCache>] = [:]
        for loop in group.makeIterator() {
            caches[ObjectIdentifier(loop)] = .makeBoxSendingValue(JWTVerifiedTokenCache(capacity: config.cacheSize), eventLoop: loop)
        }
        self.caches = caches
        if case .uri(let text)? = config.keySet, case .success(let url) = JWTKeySetURL.parse(text) {
            self.keySetURL = url
        } else {
            self.keySetURL = nil
        }
        self.threadPool = threadPool
        var logger = logger
        logger[metadataKey: "jwt_provider"] = "\(config.name)"
        self.logger = logger
        self.state = NIOLockedValueBox(State())
    }

    public var name: String { config.name }

    /// Fetch counters and the current key set's size, for metrics and the admin API.
    public var stats: JWTProviderStats { state.withLockedValue { $0.stats } }

    /// Starts the first fetch and the refresh schedule.
    public func start() {
        let promise: EventLoopPromise<Void>? = state.withLockedValue { state in
            guard !state.stopped, state.inFlight == nil, state.keys == nil else { return nil }
            return beginFetch(&state, countsAsAttempt: true)
        }
        if let promise { launch(promise) }
    }

    /// Stops refreshing and answers anyone waiting for keys (a fetch under way ends
    /// on its own and changes nothing). Call it before the event loop group shuts down.
    public func shutdown() {
        let (scheduled, inFlight) = state.withLockedValue { state -> (Scheduled<Void>?, EventLoopPromise<Void>?) in
            state.stopped = true
            defer {
                state.refresh = nil
                state.inFlight = nil
            }
            return (state.refresh, state.inFlight)
        }
        scheduled?.cancel()
        inFlight?.succeed()
    }

    public static func now() -> Double { Date().timeIntervalSince1970 }

    /// Verifies `token` on `eventLoop` (one of the group's), at `now` (seconds since
    /// the epoch). `.awaitingKeys` only when `mayWait` and keys are being (or may now
    /// be) fetched: with no key set yet, or for an unknown `kid` outside the cooldown.
    public func verify(_ token: Substring, on eventLoop: any EventLoop, now: Double = JWTProvider.now(), mayWait: Bool = true) -> JWTVerification {
        let cache = caches[ObjectIdentifier(eventLoop)]
        if let cache, let hit = cache.value.lookup(token, now: now) { return .verified(hit) }
        var (keys, secret, generation) = state.withLockedValue { ($0.keys, $0.secret, $0.generation) }
        while true {
            switch verifier.verify(token, keys: keys, secret: secret, now: now) {
            case .verified(let jwt):
                if let cache, let expiry = jwt.expiry { cache.value.insert(token, jwt, validUntil: expiry) }
                return .verified(jwt)
            case .rejected(let failure):
                return .rejected(failure)
            case .keyNotFound(let keyID):
                switch keyNotFound(keyID, generation: generation, on: eventLoop, mayWait: mayWait) {
                case .answer(let answer): return answer
                case .keysChanged(let newKeys, let newSecret, let newGeneration):
                    // A fetch ended between the look-up and now: decide with its keys.
                    (keys, secret, generation) = (newKeys, newSecret, newGeneration)
                }
            }
        }
    }

    private enum KeyNotFoundDecision {
        case answer(JWTVerification)
        case keysChanged(JWTKeySet?, JWTVerificationKey?, Int)
    }

    private func keyNotFound(_ keyID: String?, generation: Int, on eventLoop: any EventLoop, mayWait: Bool) -> KeyNotFoundDecision {
        enum Locked {
            case changed(JWTKeySet?, JWTVerificationKey?, Int)
            case wait(EventLoopFuture<Void>, launch: EventLoopPromise<Void>?)
            case refuse(hasKeys: Bool)
        }
        let cooldown = config.refetchCooldown
        let decision: Locked = state.withLockedValue { state in
            if state.generation != generation { return .changed(state.keys, state.secret, state.generation) }
            let hasKeys = state.keys != nil && (state.secret != nil || config.secret == nil)
            guard mayWait, !state.stopped else {
                if !hasKeys { state.stats.keysUnavailable += 1 }
                return .refuse(hasKeys: hasKeys)
            }
            if let inFlight = state.inFlight { return .wait(inFlight.futureResult, launch: nil) }
            if let last = state.lastAttempt, NIODeadline.now() - last < cooldown {
                if !hasKeys { state.stats.keysUnavailable += 1 }
                return .refuse(hasKeys: hasKeys)
            }
            let promise = beginFetch(&state, countsAsAttempt: true)
            return .wait(promise.futureResult, launch: promise)
        }
        switch decision {
        case .changed(let keys, let secret, let generation):
            return .keysChanged(keys, secret, generation)
        case .wait(let future, let launchPromise):
            if let launchPromise { launch(launchPromise) }
            return .answer(.awaitingKeys(future.hop(to: eventLoop)))
        case .refuse(let hasKeys):
            if !hasKeys {
                return .answer(.rejected(JWTFailure(.keysUnavailable, "the signing keys of provider \(config.name) are not available")))
            }
            let message = keyID.map { "no key with kid \"\($0.prefix(64))\" in the key set" } ?? "no key for the token"
            return .answer(.rejected(JWTFailure(.unknownKey, message)))
        }
    }

    // MARK: fetching (off the request path)

    /// Under the lock: marks a fetch as under way. The caller launches it after unlocking.
    private func beginFetch(_ state: inout State, countsAsAttempt: Bool) -> EventLoopPromise<Void> {
        let promise = fetchLoop.makePromise(of: Void.self)
        state.inFlight = promise
        if countsAsAttempt { state.lastAttempt = .now() }
        state.refresh?.cancel()
        state.refresh = nil
        return promise
    }

    private func launch(_ promise: EventLoopPromise<Void>) {
        promise.completeWithTask { [self] in await self.load() }
    }

    /// One round: the secret (once), then the key set; records the outcome, schedules
    /// the next round, and clears `inFlight` before waiters are woken.
    private func load() async {
        guard !state.withLockedValue({ $0.stopped }) else { return }
        if let secret = config.secret, state.withLockedValue({ $0.secret == nil }) {
            let key = await JWTKeySet.secretKey(secret, algorithms: Set(config.algorithms))
            state.withLockedValue { state in
                state.secret = key
                state.generation += 1
            }
        }
        guard let source = config.keySet else {
            state.withLockedValue { state in
                state.keys = JWTKeySet(byKeyID: [:], all: [], skipped: [])
                state.generation += 1
                state.inFlight = nil
            }
            return
        }
        let outcome: Result<(JWTKeySet, maxAge: Int?)?, JWTKeySetFetcher.FetchError>
        switch source {
        case .file(let path): outcome = await loadFile(path)
        case .uri: outcome = await loadURI()
        }
        var delay: TimeAmount
        switch outcome {
        case .success(let loaded?):
            let (keys, maxAge) = loaded
            for skipped in keys.skipped {
                logger.warning("key set entry skipped", metadata: ["source": "\(source)", "reason": "\(skipped)"])
            }
            logger.info("key set loaded", metadata: ["source": "\(source)", "keys": "\(keys.count)"])
            delay = maxAge.map { .seconds(Int64($0)) } ?? config.keySetCacheDuration
            delay = min(max(delay, config.refetchCooldown), .hours(24))
            state.withLockedValue { state in
                state.keys = keys
                state.generation += 1
                state.consecutiveFailures = 0
                state.stats.fetchSuccesses += 1
                state.stats.keys = keys.count
                state.stats.skippedKeys = keys.skipped.count
                state.stats.lastError = nil
            }
        case .success(nil):
            delay = config.filePollInterval  // a file that did not change
        case .failure(let error):
            let hadKeys = state.withLockedValue { state -> Bool in
                state.consecutiveFailures += 1
                state.stats.fetchFailures += 1
                state.stats.lastError = error.description
                return state.keys != nil
            }
            logger.warning(
                hadKeys ? "key set fetch failed; keeping the last good keys" : "key set fetch failed; no keys yet",
                metadata: ["source": "\(source)", "error": "\(error.description)"])
            let failures = state.withLockedValue { $0.consecutiveFailures }
            delay = hadKeys ? config.refetchCooldown : min(.milliseconds(500 << min(failures, 10)), config.refetchCooldown)
        }
        if case .file = source { delay = config.filePollInterval }
        state.withLockedValue { state in
            state.inFlight = nil
            guard !state.stopped else { return }
            state.refresh = fetchLoop.scheduleTask(in: delay) { [weak self] in self?.scheduledRefresh() }
        }
    }

    private func scheduledRefresh() {
        let isFile: Bool
        if case .file = config.keySet { isFile = true } else { isFile = false }
        let promise: EventLoopPromise<Void>? = state.withLockedValue { state in
            guard !state.stopped, state.inFlight == nil else { return nil }
            // A file poll that finds nothing changed is not a fetch attempt.
            return beginFetch(&state, countsAsAttempt: !isFile)
        }
        if let promise { launch(promise) }
    }

    /// The key set at `path` if it changed since the last load (nil: unchanged), read on the thread pool.
    private func loadFile(_ path: String) async -> Result<(JWTKeySet, maxAge: Int?)?, JWTKeySetFetcher.FetchError> {
        let previous = state.withLockedValue { $0.keys == nil ? nil : $0.fileFingerprint }
        let read: (fingerprint: [Int64], bytes: [UInt8]?)
        do {
            read = try await threadPool.runIfActive {
                let fingerprint = ReloadFileWatcher.fingerprint([path]).entries[path] ?? []
                guard fingerprint != previous else { return (fingerprint, nil) }
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw JWTKeySetFetcher.FetchError("cannot read \(path)")
                }
                guard data.count <= JWTKeySetFetcher.maxBodyBytes else {
                    throw JWTKeySetFetcher.FetchError("\(path) is larger than \(JWTKeySetFetcher.maxBodyBytes) bytes")
                }
                return (fingerprint, [UInt8](data))
            }
        } catch let error as JWTKeySetFetcher.FetchError {
            return .failure(error)
        } catch {
            return .failure(JWTKeySetFetcher.FetchError("cannot read \(path): \(error)"))
        }
        guard let bytes = read.bytes else { return .success(nil) }
        state.withLockedValue { $0.stats.fetchAttempts += 1 }
        switch await JWTKeySet.parse(bytes, algorithms: Set(config.algorithms)) {
        case .success(let keys):
            state.withLockedValue { $0.fileFingerprint = read.fingerprint }
            return .success((keys, nil))
        case .failure(let invalid):
            // Remember the fingerprint all the same: the same broken file is not re-parsed every poll.
            state.withLockedValue { $0.fileFingerprint = read.fingerprint }
            return .failure(JWTKeySetFetcher.FetchError("\(path): \(invalid.description)"))
        }
    }

    private func loadURI() async -> Result<(JWTKeySet, maxAge: Int?)?, JWTKeySetFetcher.FetchError> {
        guard let url = keySetURL else { return .failure(JWTKeySetFetcher.FetchError("the key set URI is not valid")) }
        state.withLockedValue { $0.stats.fetchAttempts += 1 }
        var sslContext: NIOSSLContext?
        if url.tls {
            sslContext = state.withLockedValue { $0.sslContext }
            if sslContext == nil {
                do {
                    let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                    state.withLockedValue { $0.sslContext = context }
                    sslContext = context
                } catch {
                    return .failure(JWTKeySetFetcher.FetchError("cannot set up TLS: \(error)"))
                }
            }
        }
        let response: JWTKeySetFetcher.Response
        do {
            response = try await JWTKeySetFetcher.fetch(url, on: fetchLoop, sslContext: sslContext, timeout: config.fetchTimeout).get()
        } catch let error as JWTKeySetFetcher.FetchError {
            return .failure(error)
        } catch {
            return .failure(JWTKeySetFetcher.FetchError("\(error)"))
        }
        guard response.status == .ok else {
            return .failure(JWTKeySetFetcher.FetchError("the key set server answered \(response.status.code)"))
        }
        switch await JWTKeySet.parse(response.body, algorithms: Set(config.algorithms)) {
        case .success(let keys): return .success((keys, response.maxAge))
        case .failure(let invalid): return .failure(JWTKeySetFetcher.FetchError(invalid.description))
        }
    }
}
