#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may connect to a socket, for the error that says why a connection was refused.
enum SocketAccess {
    /// The name of the group that owns `path` (or its number, if it has no name); nil if the
    /// socket cannot be looked at.
    static func group(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard let entry = getgrgid(info.st_gid), let name = entry.pointee.gr_name else { return "\(info.st_gid)" }
        return String(cString: name)
    }
}
