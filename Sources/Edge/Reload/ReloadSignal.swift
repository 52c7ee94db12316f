import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGHUP into reloads. SIGHUP's default action (terminate) is replaced
/// while the source is installed; ServiceGroup keeps SIGTERM/SIGINT.
public final class ReloadSignal: @unchecked Sendable {
    // Touched only in start/stop, which the owner calls once each, in order.
    private var source: (any DispatchSourceSignal)?
    private let queue = DispatchQueue(label: "edge.reload.sighup")

    public init() {}

    /// Calls `onSignal` (on a private queue) for every SIGHUP.
    public func start(_ onSignal: @escaping @Sendable () -> Void) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        source.setEventHandler(handler: onSignal)
        source.resume()
        self.source = source
    }

    public func stop() {
        source?.cancel()
        source = nil
    }
}
