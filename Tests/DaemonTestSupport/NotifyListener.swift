import Foundation
import NIOConcurrencyHelpers

/// A test-owned `NOTIFY_SOCKET`: a `SOCK_DGRAM` Unix socket, as PID 1 has. Datagrams wait in the
/// kernel's queue in the order they were sent and are taken without blocking (`drain()`), so a
/// test can tell what the daemon had sent before something else happened: whatever it sent
/// before it answered a request is in the queue once the answer is read. Waiting for a message
/// awaits the socket becoming readable.
package final class NotifyListener: Sendable {
    package struct Message: Sendable, CustomStringConvertible {
        /// `KEY=VALUE` lines, in order.
        package var text: String
        package var fields: [String: String] {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return fields
        }
        package var description: String { text.replacingOccurrences(of: "\n", with: " | ") }
    }

    package struct Timeout: Error, CustomStringConvertible {
        package var description: String
    }

    package let path: String
    private let descriptor: Int32
    private let received = NIOLockedValueBox<[Message]>([])

    package init(path: String) throws {
        self.path = path
        unlink(path)
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Timeout(description: "socket: \(String(cString: strerror(errno)))") }
        let descriptor = self.descriptor
        let bound = UnixAddress.with(path) { bind(descriptor, $0, $1) }
        guard bound == 0 else { throw Timeout(description: "bind \(path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Takes every datagram waiting in the queue (never blocks) and returns all received so far.
    @discardableResult
    package func drain() -> [Message] {
        received.withLockedValue { messages in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                guard count > 0 else { break }
                messages.append(Message(text: String(decoding: buffer[0..<count], as: UTF8.self)))
            }
            return messages
        }
    }

    /// The first message from index `after` on for which `predicate` holds, waiting for it: each
    /// time nothing matches, it awaits the next datagram (poll(2) on a thread of its own), up to
    /// `timeout` in all.
    package func first(after: Int = 0, timeout: Duration = .seconds(30), where predicate: (Message) -> Bool) async throws -> Message {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = drain().dropFirst(after).first(where: predicate) { return found }
            let left = deadline - ContinuousClock.now
            guard left > .zero, await readable(within: left) else {
                if let found = drain().dropFirst(after).first(where: predicate) { return found }
                throw Timeout(description: "no notification matched within \(timeout); got: \(drain())")
            }
        }
    }

    /// Waits until a datagram is queued (true) or `within` passed (false), off the cooperative pool.
    private func readable(within: Duration) async -> Bool {
        let descriptor = self.descriptor
        let milliseconds = Int32(min(Double(within.components.seconds) * 1000 + Double(within.components.attoseconds) / 1e15 + 1, 60_000))
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                var result: Int32
                repeat { result = poll(&entry, 1, milliseconds) } while result < 0 && errno == EINTR
                continuation.resume(returning: result > 0)
            }
        }
    }

    /// The first message carrying `KEY=VALUE` (or `KEY` with any value), from index `after` on.
    package func first(_ key: String, _ value: String? = nil, after: Int = 0, timeout: Duration = .seconds(30)) async throws -> Message {
        try await first(after: after, timeout: timeout) { message in
            guard let found = message.fields[key] else { return false }
            return value == nil || found == value
        }
    }

    /// CLOCK_MONOTONIC in microseconds (what MONOTONIC_USEC= carries).
    package static func monotonicNow() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
    }
}
