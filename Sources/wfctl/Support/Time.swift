import WorkflowProtocol
import WorkflowClient
import WorkflowJSON

/// Times as people read them.
enum Time {
    /// "12s ago", "3m ago", "2h ago", "4d ago" (or the date, further back).
    static func relative(_ iso: String?, now: Double = Timestamp.now()) -> String {
        guard let iso, let time = try? Timestamp.parse(iso) else { return "-" }
        return ago(now - time, iso: iso)
    }

    /// How far ahead a time is: "in 5m", "in 2h", or "due now" once it has passed.
    static func ahead(_ iso: String?, now: Double = Timestamp.now()) -> String {
        guard let iso, let time = try? Timestamp.parse(iso) else { return "-" }
        let seconds = time - now
        switch seconds {
        case ..<1: return "due now"
        case ..<60: return "in \(Int(seconds))s"
        case ..<3600: return "in \(Int(seconds / 60))m"
        case ..<86400: return "in \(Int(seconds / 3600))h"
        default: return "in \(Int(seconds / 86400))d"
        }
    }

    static func ago(_ seconds: Double, iso: String) -> String {
        switch seconds {
        case ..<1: "just now"
        case ..<60: "\(Int(seconds))s ago"
        case ..<3600: "\(Int(seconds / 60))m ago"
        case ..<86400: "\(Int(seconds / 3600))h ago"
        case ..<(86400 * 30): "\(Int(seconds / 86400))d ago"
        default: String(iso.prefix(10))
        }
    }

    /// "850ms", "2.3s", "4m 10s", "2h 3m", "3d 4h".
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1: "\(Int(seconds * 1000))ms"
        case ..<60: String(Double(Int(seconds * 10)) / 10) + "s"
        case ..<3600: "\(Int(seconds) / 60)m \(Int(seconds) % 60)s"
        case ..<86400: "\(Int(seconds) / 3600)h \(Int(seconds) % 3600 / 60)m"
        default: "\(Int(seconds) / 86400)d \(Int(seconds) % 86400 / 3600)h"
        }
    }
}
