#if canImport(Glibc)
import Glibc
#endif
import WorkflowJSON
import WorkflowProtocol

/// A blocking JSON-RPC client on a Unix socket, for the socket workloads (each client runs on a
/// thread of its own, so blocking here holds up nobody else). Every read and write has a bound
/// (`timeout`): a daemon that stops answering fails the workload, naming what was awaited, instead
/// of hanging the benchmark.
final class SocketClient {
    let fd: Int32
    /// How long one read or write may block, in seconds.
    let timeout: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var nextID = 0

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String, timeout: Int = 30) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.timeout = timeout
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect \(path): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Sends messages, one line each, in one write.
    func send(_ messages: [JSON]) throws {
        var bytes: [UInt8] = []
        for message in messages {
            bytes += message.serializedBytes()
            bytes.append(0x0A)
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else {
                if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure(description: "the daemon took nothing from the socket for \(timeout) s") }
                throw Failure(description: "write: errno \(errno)")
            }
            offset += written
        }
    }

    /// The next line, parsed.
    func readMessage() throws -> JSON {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                if start > 1 << 16 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return try JSONParser.parse(line)
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw Failure(description: "nothing came from the daemon for \(timeout) s")
            }
            guard count > 0 else { throw Failure(description: count == 0 ? "the daemon closed the connection" : "read: errno \(errno)") }
            buffer += chunk[0..<count]
        }
    }

    func request(_ method: String, _ params: JSON) -> (id: Int, message: JSON) {
        nextID += 1
        return (nextID, RPCOutgoing.request(id: RPCID(nextID), method, params))
    }

    /// Calls a method and returns its result; notifications that arrive meanwhile go to `other`.
    func call(_ method: String, _ params: JSON, other: (JSON) -> Void = { _ in }) throws -> JSON {
        let (id, message) = request(method, params)
        try send([message])
        while true {
            let answer: JSON
            do { answer = try readMessage() } catch let failure as Failure {
                throw Failure(description: "\(method): \(failure.description)")
            }
            if case .response(let answered, let outcome) = RPCIncoming(answer), answered == RPCID(id) {
                switch outcome {
                case .success(let result): return result
                case .failure(let error): throw Failure(description: "\(method): \(error.json.serialized())")
                }
            }
            other(answer)
        }
    }
}
