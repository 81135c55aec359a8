#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WorkflowClient
import WorkflowEngine

/// `slow_readers`: a busy instance (a loop emitting events as fast as it commits) with one reader
/// that keeps up and 1,000 connections subscribed to it that never read. The daemon's memory must
/// stay bounded (each slow subscription overflows at its connection's queue limit and is
/// dropped; the connections are bounded in all), and the fast reader keeps streaming.
enum SlowReaders {
    static let definition = """
        name: busy
        start: tick
        maxSupersteps: 100000000
        executors:
          tick: { kind: transform, expression: "message" }
        edges:
          - { from: tick, to: tick }
        """

    static func run() throws -> Report {
        let slowCount = 1_000
        let daemon = try SocketWorkloads.Daemon(arguments: ["--max-connections", "2000", "--max-connections-per-uid", "2000"],
                                                extraDefinitions: ["busy.yaml": definition])
        let control = try BlockingConnection(path: daemon.socket)
        _ = try control.call("instance.create", ["name": "busy", "definition": "busy"])
        // The fast reader: a thread that reads and counts every event.
        // Only the reader thread uses it once subscribed.
        nonisolated(unsafe) let fast = try BlockingConnection(path: daemon.socket)
        _ = try fast.call("events.subscribe", ["instance": "busy"])
        let counter = EventCounter()
        let reader = Thread {
            while let message = try? fast.readMessage() {
                if message["method"] == "events.event" { counter.add() }
            }
        }
        reader.start()
        _ = try control.call("run.start", ["instance": "busy", "input": 0])
        func settle(_ seconds: Double) -> (rate: Double, peak: Double) {
            var peak = daemon.residentKiB
            let start = counter.count, begin = nowMicros()
            let end = begin + seconds * 1_000_000
            while nowMicros() < end {
                usleep(100_000)
                peak = max(peak, daemon.residentKiB)
            }
            return (Double(counter.count - start) / ((nowMicros() - begin) / 1_000_000), peak)
        }
        let warm = settle(3)
        let before = daemon.residentKiB
        // 1,000 connections subscribe and never read again.
        var slow: [Int32] = []
        for _ in 0..<slowCount {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in daemon.socket.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { throw BenchFailure(description: "slow_readers: connect failed (errno \(errno))") }
            let line = Array(#"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"instance":"busy"}}"#.utf8) + [0x0A]
            _ = line.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            slow.append(fd)
        }
        let loaded = settle(10)
        let after = daemon.residentKiB
        for fd in slow { close(fd) }
        // The daemon returns freed memory every 15 s: after that, what it still holds.
        _ = settle(20)
        let released = daemon.residentKiB
        _ = try control.call("run.cancel", ["instance": "busy"])
        let status = try control.call("daemon.status", [:])
        daemon.stop()
        let mib = { (kib: Double) in format(kib / 1024) }
        // median_us: the fast reader's time per event while the slow ones hang on.
        return Report(unit: "event", samples: [loaded.rate > 0 ? 1_000_000 / loaded.rate : 0],
                      extra: [("rss_before_mib", mib(before)), ("rss_peak_mib", mib(loaded.peak)), ("rss_after_mib", mib(after)),
                              ("rss_after_close_mib", mib(released)), ("slow_connections", "\(slowCount)"),
                              ("fast_events_per_s_alone", format(warm.rate)), ("fast_events_per_s_during", format(loaded.rate)),
                              ("connections_at_end", "\(status["connections"]?.intValue ?? -1)")])
    }

    final class EventCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
        func add() { lock.lock(); value += 1; lock.unlock() }
    }
}
