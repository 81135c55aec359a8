#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowJSON
import WorkflowProtocol

/// A JSON-RPC connection to the daemon whose calls block the calling thread: for code that is
/// not async (a thread of its own, a tool in a plain loop) and for measuring the daemon, where a
/// client's own hand-offs between threads would be counted as the daemon's time.
///
/// ```swift
/// let connection = try BlockingConnection(path: socket)
/// let run = try connection.call(RunMethods.Start.self, .init(instance: "review", input: ["n": 1], wait: true))
/// ```
///
/// Calls are answered in order on one connection; what comes before a call's answer
/// (notifications) is handed to the call's `other`. Every read and write has a bound
/// (``timeout``): a daemon that stops answering fails the call with
/// ``WorkflowClientError/Code/timedOut`` naming what was awaited. One thread uses a connection at
/// a time.
public final class BlockingConnection {
    /// The socket.
    public let descriptor: Int32
    /// How long one read or write may block.
    public let timeout: Duration
    private var buffer: [UInt8] = []
    private var start = 0
    private var nextID = 0

    /// Connects to the daemon's Unix socket.
    /// - Throws: ``WorkflowClientError/Code/unreachable`` naming the path and the cause, or
    ///   ``WorkflowClientError/Code/accessDenied`` naming the group this user would need.
    public init(path: String, timeout: Duration = .seconds(30)) throws {
        self.timeout = timeout
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw WorkflowClientError(.unreachable, "cannot make a socket: \(String(cString: strerror(errno)))")
        }
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw WorkflowClientError(.unreachable, "cannot connect to workflowd at \(path): the path is longer than a socket's path may be")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let cause = errno
            close(descriptor)
            if cause == EACCES || cause == EPERM {
                let group = SocketAccess.group(of: path).map { "you need to be in group '\($0)'" } ?? "you may not use it"
                throw WorkflowClientError(.accessDenied, "permission denied on workflowd's socket \(path): \(group)")
            }
            throw WorkflowClientError(.unreachable, "cannot connect to workflowd at \(path): \(String(cString: strerror(cause)))")
        }
    }

    deinit { close(descriptor) }

    /// Calls a method of the protocol with its typed params and returns its typed result.
    /// - Throws: ``WorkflowClientError``.
    public func call<Method: RPCMethod>(_ method: Method.Type, _ params: Method.Params) throws -> Method.Result {
        let result = try call(method.name, try method.encode(params: params))
        do {
            return try method.decode(result: result)
        } catch {
            throw WorkflowClientError(.protocolViolation, "workflowd answered \(method.name) with a result this client cannot read: \(error)")
        }
    }

    /// Calls a method by name and returns its result; messages that come before its answer
    /// (notifications) go to `other`.
    /// - Throws: ``WorkflowClientError``: ``WorkflowClientError/Code/rpc`` when the daemon answers
    ///   with an error.
    public func call(_ method: String, _ params: JSON?, other: (JSON) -> Void = { _ in }) throws -> JSON {
        let (id, message) = request(method, params)
        try send([message])
        while true {
            let answer: JSON
            do { answer = try readMessage() } catch let error as WorkflowClientError {
                throw WorkflowClientError(error.code, "\(method): \(error.message)", rpc: error.rpc)
            }
            if case .response(let answered, let outcome) = RPCIncoming(answer), answered == RPCID(id) {
                switch outcome {
                case .success(let result): return result
                case .failure(let error): throw WorkflowClientError(error)
                }
            }
            other(answer)
        }
    }

    /// A request with the connection's next id, to send (in a batch of lines, or later).
    public func request(_ method: String, _ params: JSON?) -> (id: Int, message: JSON) {
        nextID += 1
        return (nextID, RPCOutgoing.request(id: RPCID(nextID), method, params))
    }

    /// Sends messages, one line each, in one write.
    /// - Throws: ``WorkflowClientError/Code/timedOut`` when the daemon takes nothing for
    ///   ``timeout``, ``WorkflowClientError/Code/connectionLost`` when the socket fails.
    public func send(_ messages: [JSON]) throws {
        var bytes: [UInt8] = []
        for message in messages {
            bytes += message.serializedBytes()
            bytes.append(0x0A)
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                if errno == EAGAIN || errno == EWOULDBLOCK { throw WorkflowClientError(.timedOut, "the daemon took nothing from the socket for \(timeout)") }
                throw WorkflowClientError(.connectionLost, "cannot send to workflowd: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// The next message from the daemon, whatever it is.
    /// - Throws: ``WorkflowClientError/Code/timedOut`` when nothing comes for ``timeout``,
    ///   ``WorkflowClientError/Code/connectionLost`` when the daemon closes the connection,
    ///   ``WorkflowClientError/Code/protocolViolation`` for a line that is not JSON.
    public func readMessage() throws -> JSON {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                if start > 1 << 16 {
                    buffer.removeFirst(start)
                    start = 0
                }
                do {
                    return try JSONParser.parse(line)
                } catch {
                    throw WorkflowClientError(.protocolViolation, "workflowd sent a line that is not JSON: \(error)")
                }
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw WorkflowClientError(.timedOut, "nothing came from the daemon for \(timeout)")
            }
            guard count > 0 else {
                throw WorkflowClientError(.connectionLost, count == 0 ? "the daemon closed the connection" : "cannot read from workflowd: \(String(cString: strerror(errno)))")
            }
            buffer += chunk[0..<count]
        }
    }
}
