#if canImport(Glibc)
import Glibc
#endif
import CSystemd

/// Sockets handed over by socket activation (sd_listen_fds(3)): the fds from 3 on, with their
/// names (`FileDescriptorName=`). Taking them unsets LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES
/// (so a child process does not take them too) and marks them close-on-exec.
public enum ListenSockets {
    public struct Socket: Sendable, Hashable {
        public var descriptor: Int32
        public var name: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The sockets passed to this process (none when it was not socket-activated, or they were
    /// meant for another pid).
    public static func take() -> [Socket] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        defer {
            if let names {
                for index in 0..<Int(max(count, 0)) { free(names[index]) }
                free(names)
            }
        }
        guard count > 0 else { return [] }
        let start = csd_listen_fds_start()
        return (0..<Int(count)).map { index in
            let name = names?[index].map { String(cString: $0) } ?? "unknown"
            return Socket(descriptor: start + Int32(index), name: name)
        }
    }

    /// The socket to serve on: the one named `preferred` if there is one, else the only one.
    /// - Throws: if none of them is a listening Unix stream socket, saying what was passed.
    public static func listeningUnixStream(among sockets: [Socket], preferred: String) throws -> Socket {
        let candidates = sockets.filter { $0.name == preferred } + sockets.filter { $0.name != preferred }
        for socket in candidates where sd_is_socket_unix(socket.descriptor, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 {
            return socket
        }
        let passed = sockets.map { "fd \($0.descriptor) (\($0.name))" }.joined(separator: ", ")
        throw Failure(description: "socket activation passed \(passed), none of which is a listening Unix stream socket (use ListenStream= with an absolute path and Accept=no)")
    }

    /// Whether `descriptor` is a listening stream socket (TCP or Unix).
    public static func isListeningStream(_ descriptor: Int32) -> Bool {
        sd_is_socket(descriptor, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) > 0
    }

    /// The path a Unix socket is bound to (nil for an unnamed or abstract one).
    public static func path(of descriptor: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let path = withUnsafeBytes(of: address.sun_path) { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
        return path.isEmpty ? nil : path
    }
}
