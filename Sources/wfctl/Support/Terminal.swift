#if canImport(Glibc)
import WorkflowProtocol
import WorkflowClient
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowJSON

/// Where output goes and how it looks: colour only on a terminal, never with `NO_COLOR` set (or
/// `TERM=dumb`).
struct Terminal: Sendable {
    let isTTY: Bool
    let inputIsTTY: Bool
    let color: Bool

    init(environment: [String: String]) {
        isTTY = isatty(STDOUT_FILENO) == 1
        inputIsTTY = isatty(STDIN_FILENO) == 1
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        color = isTTY && !noColor
    }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36"
    }

    func styled(_ text: String, _ styles: Style...) -> String {
        guard color, !styles.isEmpty else { return text }
        return "\u{1B}[" + styles.map(\.rawValue).joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }

    /// A status word in its colour.
    /// A status of the protocol's, coloured by what it means.
    func status<Value: WireEnum>(_ value: Value) -> String { status(value.rawValue) }

    func status(_ status: String) -> String {
        switch status {
        case "idle": styled(status, .green)
        case "in_progress", "queued": styled(status, .blue)
        case "idle_with_pending_requests": styled("waiting for a person", .yellow)
        case "waiting": styled("waiting for a time or a signal", .yellow)
        case "failed": styled(status, .red, .bold)
        case "cancelled": styled(status, .magenta)
        default: status
        }
    }

    func write(_ text: String) {
        Self.write(text, to: STDOUT_FILENO)
    }

    /// Writes all of `text` to a file descriptor (unbuffered: nothing waits in a buffer when the
    /// process exits or a live line is redrawn).
    static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    func line(_ text: String = "") { write(text + "\n") }

    func error(_ text: String) {
        Self.write(text + "\n", to: STDERR_FILENO)
    }

    /// Rewrites the current line in place (a terminal only).
    func live(_ text: String) {
        write("\r\u{1B}[2K" + text)
    }

    /// One JSON document (pretty on a terminal, one line otherwise... always parseable).
    func json(_ value: JSON) {
        line(value.prettyPrinted())
    }

    /// One JSON line (a stream's element).
    func jsonLine(_ value: JSON) {
        line(value.serialized())
    }
}
