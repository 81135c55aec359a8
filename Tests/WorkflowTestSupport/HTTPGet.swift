import Foundation

/// An HTTP request made with curl (Contrib/dev/packages installs it): the status, the headers
/// (names in lower case) and the body.
public struct HTTPGet: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: String

    /// `method` on `url` (a Unix socket path in `unixSocket` reaches a server listening there).
    public static func fetch(_ url: String, method: String = "GET", unixSocket: String? = nil) async throws -> HTTPGet {
        var arguments = ["-s", "-S", "-i", "--max-time", "20", "-X", method]
        if method == "HEAD" { arguments = ["-s", "-S", "-I", "--max-time", "20"] }
        if let unixSocket { arguments += ["--unix-socket", unixSocket] }
        let outcome = try await ChildProcess.run("/usr/bin/curl", arguments + [url], environment: ["PATH": "/usr/bin:/bin"])
        guard outcome.status == 0 else { throw ChildProcess.Failure(description: "curl \(url): \(outcome)") }
        let text = outcome.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        let (head, body) = text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
        var lines = head.split(separator: "\n")
        let status = lines.isEmpty ? 0 : Int(lines.removeFirst().split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPGet(status: status, headers: headers, body: body)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (for a server that cannot be told to
    /// take one itself and say which).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ChildProcess.Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ChildProcess.Failure(description: "bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
