/// Makes trace and span ids without a syscall or a lock per id.
///
/// One generator per connection or event loop (it is a mutable value, deliberately not `Sendable`):
/// xoshiro256** seeded once from the system's random source. Ids are never zero (zero is the invalid
/// id in W3C Trace Context), and their low 56 bits are uniform, which ``TraceSampler`` relies on.
public struct TraceIDGenerator {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: (system.next(), system.next(), system.next(), system.next()))
    }

    /// A generator with a fixed state (tests); an all-zero seed (xoshiro's one bad state) is replaced.
    public init(seed: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = seed
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    @inline(__always)
    private mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    public mutating func nextSpanID() -> UInt64 {
        var id = next()
        while id == 0 { id = next() }
        return id
    }

    public mutating func nextTraceID() -> TraceID {
        var id = TraceID(high: next(), low: next())
        while !id.isValid { id = TraceID(high: next(), low: next()) }
        return id
    }
}
