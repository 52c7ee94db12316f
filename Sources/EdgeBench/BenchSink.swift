/// Keeps benchmarked results observable so the optimizer cannot drop the work.
enum BenchSink {
    nonisolated(unsafe) static var total = 0

    @inline(never)
    static func consume(_ value: Int) {
        total &+= value
    }
}
