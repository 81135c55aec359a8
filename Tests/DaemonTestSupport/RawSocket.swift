import Foundation

/// A blocking Unix stream socket for what a well-behaved client never does (100 MB lines). Used
/// from a thread of its own (``Thread.detach``-style helpers), never from the cooperative pool.
package final class RawSocket: @unchecked Sendable {
    package let fd: Int32

    package init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonProcess.Failure(description: "socket: errno \(errno)") }
        let result = UnixAddress.with(path) { connect(fd, $0, $1) }
        guard result == 0 else {
            close(fd)
            throw DaemonProcess.Failure(description: "connect \(path): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Writes `count` bytes made by `chunk` (called with the offset), stopping at the first error
    /// (the peer closed): returns how many were written and the errno that stopped it (0 if none).
    package func send(count: Int, chunk: (Int) -> [UInt8]) -> (written: Int, errno: Int32) {
        var written = 0
        while written < count {
            let bytes = chunk(written)
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, min($0.count, count - written), Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                return (written, errno)
            }
            written += sent
        }
        return (written, 0)
    }

    /// Reads until a newline or the end (at most 1 MiB); nil if nothing came.
    package func readLine() -> String? {
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while data.count < 1 << 20 {
            let got = recv(fd, &byte, 1, 0)
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            if byte == 0x0A { break }
            data.append(byte)
        }
        return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
    }

    /// Runs `body` on a thread of its own and awaits its result (blocking calls stay off the pool).
    package static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}

