import CSystemd

/// The service watchdog (sd_watchdog_enabled(3)): whether `WatchdogSec=` is set for this process,
/// and how often to ping (half the interval, as the man page advises).
public enum Watchdog {
    /// The interval systemd expects a `WATCHDOG=1` within, or nil when the watchdog is off (or
    /// WATCHDOG_PID names another process).
    public static func interval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// How often to ping for an interval: half of it.
    public static func pingPeriod(for interval: Duration) -> Duration { interval / 2 }
}
