import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clocks local limits read: monotonic for GCRA, the wall clock (UTC) for calendar quotas.
public enum RateLimitClock {
    public static func monotonicMicros() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds / 1000) }

    public static func wallClockMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}
