import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGHUP into reloads (or, in `edge demo`, a log line). SIGHUP's default
/// action (terminate) is replaced by "ignore" from ``start(_:)`` on and stays
/// replaced after ``stop()``, so a SIGHUP is never fatal, however many arrive
/// and whenever; ServiceGroup keeps SIGTERM/SIGINT.
public final class ReloadSignal: @unchecked Sendable {
    // Touched only in start/stop, which the owner calls once each, in order.
    private var source: (any DispatchSourceSignal)?
    private let queue = DispatchQueue(label: "edge.reload.sighup")

    public init() {}

    /// Calls `onSignal` (on a private queue) for every SIGHUP.
    public func start(_ onSignal: @escaping @Sendable () -> Void) {
        Self.ignore()
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        source.setEventHandler(handler: onSignal)
        source.resume()
        self.source = source
    }

    /// Makes SIGHUP harmless before a handler is installed (while a gateway loads)
    /// and after it is removed (while it drains).
    public static func ignore() {
        signal(SIGHUP, SIG_IGN)
    }

    public func stop() {
        source?.cancel()
        source = nil
    }
}
