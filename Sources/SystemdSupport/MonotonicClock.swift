#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC in microseconds (what `MONOTONIC_USEC=` carries).
public enum MonotonicClock {
    public static func microseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
    }
}
