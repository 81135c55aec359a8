import Foundation

/// An HTTP server on a loopback port that takes every request (its head and Content-Length bytes
/// of body), answers 200 at once and closes the connection, as small collectors and proxies do.
/// It counts the bytes and requests it took. The benchmarks send spans to it (`run_latency_traced`:
/// the cost of making and exporting spans, not of a collector); the exporter's tests check that
/// such a collector loses nothing.
public final class HTTPSink: @unchecked Sendable {
    /// Where it listens, on 127.0.0.1.
    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received = 0
    private var taken = 0

    /// The sink could not listen.
    public struct Failure: Error, CustomStringConvertible {
        /// Why.
        public var description: String
    }

    /// Listens on a free port, serving from a thread of its own.
    public init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "HTTP sink: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Bytes of requests taken so far.
    public var bytes: Int { lock.withLock { received } }
    /// Requests answered so far.
    public var requests: Int { lock.withLock { taken } }

    /// Stops listening.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            var headEnd: Int?
            var length = 0
            while true {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { break }
                data += buffer[0..<count]
                if headEnd == nil, let end = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                    headEnd = end.upperBound
                    let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).lowercased()
                    length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                }
                if let headEnd, data.count - headEnd >= length { break }
            }
            lock.withLock { received += data.count }
            let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            close(connection)
            lock.withLock { taken += 1 }
        }
    }
}
