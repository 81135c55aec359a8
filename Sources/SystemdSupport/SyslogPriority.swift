#if canImport(Glibc)
import Glibc
#endif
import CSystemd
import Logging

/// syslog priorities (what `<N>` prefixes and `PRIORITY=` carry).
public enum SyslogPriority {
    public static func of(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
