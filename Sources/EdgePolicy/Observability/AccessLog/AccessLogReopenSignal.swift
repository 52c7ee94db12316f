import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGUSR1 into access-log reopens (log rotation: `logrotate` renames the file,
/// then sends SIGUSR1). SIGUSR1's default action (terminate) is replaced by "ignore"
/// from ``start(_:)`` on and stays replaced after ``stop()``, so a late SIGUSR1 is never fatal.
public final class AccessLogReopenSignal: @unchecked Sendable {
    // Touched only in start/stop, which the owner calls once each, in order.
    private var source: (any DispatchSourceSignal)?
    private let queue = DispatchQueue(label: "edge.access-log.sigusr1")

    public init() {}

    /// Calls `onSignal` (on a private queue) for every SIGUSR1.
    public func start(_ onSignal: @escaping @Sendable () -> Void) {
        signal(SIGUSR1, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: queue)
        source.setEventHandler(handler: onSignal)
        source.resume()
        self.source = source
    }

    public func stop() {
        source?.cancel()
        source = nil
    }
}
