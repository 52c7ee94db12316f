#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Reads the allocation counter of `Benchmarks/malloc-count.c` when that
/// library is preloaded (`LD_PRELOAD`, as `Benchmarks/transcode.sh` does):
/// every `malloc`, `calloc`, `realloc`, `posix_memalign`, `aligned_alloc` and
/// `memalign` call of the process. Without it, allocations are not counted.
enum MallocCounter {
    typealias CountFunction = @convention(c) () -> UInt64

    static let function: CountFunction? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "edge_malloc_count") else { return nil }
        return unsafeBitCast(symbol, to: CountFunction.self)
    }()

    static var isAvailable: Bool { function != nil }

    /// Allocation calls so far, or nil when the counter is not preloaded.
    static func count() -> UInt64? { function?() }

    /// Allocations per call of `body`, over `iterations` calls (after one warm-up call).
    static func perCall(iterations: Int, _ body: () throws -> Int) rethrows -> Double? {
        guard isAvailable else { return nil }
        var sink = try body()
        let before = count()!
        for _ in 0..<iterations { sink &+= try body() }
        let after = count()!
        BenchSink.consume(sink)
        return Double(after - before) / Double(iterations)
    }
}
