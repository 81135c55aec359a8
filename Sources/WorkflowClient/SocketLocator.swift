#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the daemon's socket is. The order: an explicit path, `WORKFLOWD_SOCKET`, the user
/// daemon's `$XDG_RUNTIME_DIR/workflowd/workflowd.sock`, the system daemon's
/// `/run/workflowd/workflowd.sock`, and, run from inside the project, the Quick start's
/// `.workflowd/workflowd.sock` (in the working directory or one of its parents).
///
/// The environment is passed in (libraries do not read it themselves):
/// ```swift
/// let path = SocketLocator(environment: ProcessInfo.processInfo.environment).path(explicit: nil)
/// ```
public struct SocketLocator: Sendable {
    /// The system daemon's socket (the socket unit's `ListenStream=`).
    public static let systemSocket = "/run/workflowd/workflowd.sock"

    /// The environment to read `WORKFLOWD_SOCKET` and `XDG_RUNTIME_DIR` from.
    public var environment: [String: String]
    /// Where to start looking for a Quick start daemon's `.workflowd/` (and up through its parents).
    public var workingDirectory: String?
    /// Whether a path names a socket (replaceable in tests).
    public var exists: @Sendable (String) -> Bool

    /// Makes a locator over an environment and a working directory.
    public init(environment: [String: String], workingDirectory: String? = SocketLocator.currentDirectory(),
                exists: @escaping @Sendable (String) -> Bool = SocketLocator.isSocket) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.exists = exists
    }

    /// Every place considered, in order, and why.
    public func candidates(explicit: String?) -> [(path: String, source: String)] {
        var found: [(String, String)] = []
        if let explicit, !explicit.isEmpty { found.append((explicit, "--socket")) }
        if let value = environment["WORKFLOWD_SOCKET"], !value.isEmpty { found.append((value, "WORKFLOWD_SOCKET")) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            found.append((runtime + "/workflowd/workflowd.sock", "the user daemon (XDG_RUNTIME_DIR)"))
        }
        found.append((Self.systemSocket, "the system daemon"))
        if var directory = workingDirectory {
            while true {
                found.append((directory + (directory.hasSuffix("/") ? "" : "/") + ".workflowd/workflowd.sock", "the Quick start's daemon"))
                guard let slash = directory.lastIndex(of: "/"), directory != "/" else { break }
                directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
            }
        }
        return found
    }

    /// The socket to use: an explicit path or `WORKFLOWD_SOCKET` as given (even if missing, so
    /// the error names it); otherwise the first default that exists, or the system socket.
    public func path(explicit: String?) -> String {
        let all = candidates(explicit: explicit)
        if let first = all.first, first.source == "--socket" || first.source == "WORKFLOWD_SOCKET" { return first.path }
        return all.first(where: { exists($0.path) })?.path ?? Self.systemSocket
    }

    /// Whether `path` is a Unix socket.
    @Sendable public static func isSocket(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
    }

    /// The process's working directory.
    public static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
