/// Times a workload with `ContinuousClock`: a warm-up that also sizes batches
/// (~10 ms each, so the clock is read rarely), then `runs` timed runs of about
/// `seconds` each. Reports ns per call of every run.
struct BenchTimer {
    var seconds: Double
    var runs: Int
    var warmUpSeconds: Double = 0.3

    struct Result {
        /// ns per call of each run, sorted.
        let nsPerCall: [Double]
        var median: Double { nsPerCall[nsPerCall.count / 2] }
        var minimum: Double { nsPerCall[0] }
        var maximum: Double { nsPerCall[nsPerCall.count - 1] }
    }

    func measure(_ body: () throws -> Int) rethrows -> Result {
        let clock = ContinuousClock()
        var sink = 0
        var calls = 0
        let warmStart = clock.now
        var warmElapsed = Duration.zero
        while warmElapsed < .nanoseconds(Int64(warmUpSeconds * 1e9)) {
            sink &+= try body()
            calls += 1
            warmElapsed = clock.now - warmStart
        }
        let nsPerCall = Self.nanoseconds(warmElapsed) / Double(calls)
        let batch = max(1, Int(10_000_000 / nsPerCall))
        var samples: [Double] = []
        let target = Duration.nanoseconds(Int64(seconds * 1e9))
        for _ in 0..<runs {
            var done = 0
            let start = clock.now
            var elapsed = Duration.zero
            repeat {
                for _ in 0..<batch { sink &+= try body() }
                done += batch
                elapsed = clock.now - start
            } while elapsed < target
            samples.append(Self.nanoseconds(elapsed) / Double(done))
        }
        BenchSink.consume(sink)
        return Result(nsPerCall: samples.sorted())
    }

    static func nanoseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
    }
}
