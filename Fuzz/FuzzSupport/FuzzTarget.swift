import CFuzzDriver
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// A libFuzzer target: one type marked `@main` whose ``fuzz(_:)`` checks one input.
///
/// SwiftPM links an executable target with its entry point named `<Target>_main`; the
/// `main()` below (which `@main` calls) hands over to libFuzzer's driver
/// (`LLVMFuzzerRunDriver`), which reads the usual libFuzzer flags from the command line
/// and calls `LLVMFuzzerTestOneInput` (defined once, here) for each input.
public protocol FuzzTarget {
    /// Checks one input: returns normally when every property holds, traps (through
    /// ``fuzzRequire(_:_:)``) when one does not, so libFuzzer saves the input.
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>)
}

extension FuzzTarget {
    public static func main() {
        FuzzDriver.body = fuzz
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
    }
}

/// The running target's check (one target per process, set before the driver starts).
enum FuzzDriver {
    nonisolated(unsafe) static var body: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzDriver.body(UnsafeBufferPointer(start: size > 0 ? data : nil, count: size))
    return 0
}

/// Runs `body` (async set-up, or an async library call a check needs) and waits for it:
/// a fuzz target's check is synchronous.
public func fuzzBlocking<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
    let box = FuzzBox<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// The result of ``fuzzBlocking(_:)``'s task (written before the semaphore is signalled, read after).
final class FuzzBox<Value>: @unchecked Sendable {
    var value: Value?
}
