#if canImport(Glibc)
import Glibc
#endif

/// The socket file the daemon binds itself (when no listening socket is handed over): its
/// directory is created, a stale file left by a dead daemon is replaced, and a socket another
/// live daemon answers on is never taken over.
enum SocketPath {
    /// Prepares `path` for binding (it blocks briefly: call it off the cooperative pool).
    /// - Throws: if another process listens there, or the path cannot be used.
    static func prepare(_ path: String) throws {
        guard path.utf8.count < 108 else {
            throw ConnectionFailure("the socket path is \(path.utf8.count) bytes long; a Unix socket path must be shorter than 108")
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return }  // nothing there
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw ConnectionFailure("\(path) exists and is not a socket; refusing to replace it")
        }
        if answers(path) {
            throw ConnectionFailure("another daemon is listening on \(path); refusing to take its socket over")
        }
        unlink(path)  // stale: its daemon is gone
    }

    /// Whether something accepts connections on the socket at `path`.
    static func answers(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        return result == 0
    }

    /// `mkdir -p` (mode 0755 for what it creates).
    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ConnectionFailure("cannot create directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}
