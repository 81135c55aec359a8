/// Where the daemon serves its metrics over HTTP (`--metrics-listen`, DESIGN.md §11): a TCP port
/// on the loopback interface, a Unix socket path, or a listening socket handed over by socket
/// activation (`FileDescriptorName=metrics`). Only loopback: what a scraper elsewhere needs is a
/// proxy or a collector in front, with its own access control.
public enum MetricsListen: Sendable, Hashable, CustomStringConvertible {
    /// A TCP port on a loopback address (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`; port 0
    /// takes a free one, which the daemon logs).
    case tcp(host: String, port: Int)
    /// A Unix socket at this path (made by the daemon, removed when it stops).
    case unix(path: String)
    /// A listening socket handed over by socket activation.
    case adopted(descriptor: Int32)

    /// Why an address was refused.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`, or an absolute or `./` path.
    public init(parsing text: String) throws(Invalid) {
        if text.hasPrefix("/") || text.hasPrefix("./") {
            guard text.utf8.count < 108 else { throw Invalid(description: "the socket path '\(text)' is longer than a Unix socket path may be (107 bytes)") }
            self = .unix(path: text)
            return
        }
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw Invalid(description: "'\(text)' has no port (like [::1]:9464)") }
            port = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw Invalid(description: "'\(text)' is neither HOST:PORT (like 127.0.0.1:9464) nor a path (like /run/workflowd/metrics.sock)")
        }
        guard let number = Int(port), (0...65_535).contains(number) else {
            throw Invalid(description: "'\(port)' is not a port (0 to 65535) in '\(text)'")
        }
        guard Self.isLoopback(String(host)) else {
            throw Invalid(description: "metrics are served on loopback only (127.0.0.1, ::1 or localhost) or on a Unix socket, not on '\(host)': put a proxy or a collector in front for scrapers elsewhere")
        }
        self = .tcp(host: host == "localhost" ? "127.0.0.1" : String(host), port: number)
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1) or `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        case .adopted(let descriptor): "fd \(descriptor) (socket activation)"
        }
    }
}
