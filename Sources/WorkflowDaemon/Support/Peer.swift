#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Who is on the other end of a connection, as the kernel says (`SO_PEERCRED`).
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Root may act on every instance.
    public var isRoot: Bool { uid == 0 }

    public var description: String { "pid \(pid) uid \(uid)" }

    /// The layout of Linux's `struct ucred` (Glibc hides it behind `_GNU_SOURCE`).
    private struct Credentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Reads the credentials of the peer of a Unix-socket channel.
    static func of(_ channel: any Channel) -> EventLoopFuture<Peer> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ConnectionFailure("the channel has no socket options"))
        }
        let credentials: EventLoopFuture<Credentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                                                       name: SocketOptionName(SO_PEERCRED))
        return credentials.map { Peer(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}
