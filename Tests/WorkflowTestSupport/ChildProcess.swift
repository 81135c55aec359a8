import Foundation
import WorkflowConcurrency
import WorkflowJSON

/// A child process spawned with posix_spawn and reaped by a thread of its own (waitpid), its
/// output read by threads of their own as it comes: nothing waits on the cooperative pool.
/// Every test that runs a program goes through here, never through Foundation's `Process`: in a
/// test process that also runs exec steps (swift-subprocess) and `systemd-socket-activate`,
/// `Process.waitUntilExit()` can miss its child's exit and wait for ever, a zombie beside it
/// (seen: the whole suite hung in the crash test, its pool thread blocked there). Its pipes are
/// close-on-exec in this process, and the child gets no descriptor but its three, so no child
/// keeps another's pipe open.
public enum ChildProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// How a program that ran to its end ended, and what it wrote.
    public struct Outcome: Sendable, CustomStringConvertible {
        /// The exit status (negative: killed by that signal).
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    }

    /// Runs a program to its end, feeding `input` on stdin; `environment` nil is this process's.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String]? = nil) async throws -> Outcome {
        struct Collected {
            var out: [UInt8] = [], err: [UInt8] = [], status: Int32 = -1, pending = 3
            var waiter: CheckedContinuation<Outcome, Never>?
            var outcome: Outcome {
                Outcome(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
            }
        }
        let state = Locked(Collected())
        @Sendable func finished(_ change: (inout Collected) -> Void) {
            let ready = state.withLock { state -> (CheckedContinuation<Outcome, Never>, Outcome)? in
                change(&state)
                state.pending -= 1
                guard state.pending == 0, let waiter = state.waiter else { return nil }
                state.waiter = nil
                return (waiter, state.outcome)
            }
            if let (waiter, outcome) = ready { waiter.resume(returning: outcome) }
        }
        _ = try spawn(executable, arguments, environment: environment ?? ProcessInfo.processInfo.environment, input: input,
                      onOutput: { chunk in
                          if chunk.isEmpty { finished { _ in } } else { state.withLock { $0.out += chunk } }
                      },
                      onError: { chunk in
                          if chunk.isEmpty { finished { _ in } } else { state.withLock { $0.err += chunk } }
                      },
                      onExit: { status in finished { $0.status = status } })
        return await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Outcome? in
                if state.pending == 0 { return state.outcome }
                state.waiter = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// A program started to be read line by line and stopped when the test has seen enough.
    public final class Running: Sendable {
        /// Its pid.
        public let pid: pid_t
        /// Its stdout, line by line; ends at EOF.
        public let lines: AsyncStream<String>
        private let exit = Locked<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
        fileprivate let errors = Locked<[UInt8]>([])

        /// Whether it has exited.
        public var hasExited: Bool { exit.withLock { $0.status != nil } }

        /// The last 8 KiB it wrote to stderr.
        public var stderrTail: String { String(decoding: errors.withLock { $0 }, as: UTF8.self) }

        fileprivate init(pid: pid_t, lines: AsyncStream<String>) {
            self.pid = pid
            self.lines = lines
        }

        fileprivate func exited(_ status: Int32) {
            let waiters = exit.withLock { state in
                state.status = status
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }

        /// Waits for its exit status (negative: killed by that signal).
        public func status() async -> Int32 {
            await withCheckedContinuation { continuation in
                let status = exit.withLock { state -> Int32? in
                    if state.status == nil { state.waiters.append(continuation) }
                    return state.status
                }
                if let status { continuation.resume(returning: status) }
            }
        }

        /// Sends `signal` and waits for the exit.
        public func kill(_ signal: Int32 = SIGKILL) async -> Int32 {
            _ = Glibc.kill(pid, signal)
            return await status()
        }
    }

    /// Starts a program whose stdout is read as lines (of stderr the tail is kept). With
    /// `holdingInput`, its stdin stays open for as long as this process lives: the program sees
    /// its end only when this process has ended, however it ended (a server's lifeline).
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                             holdingInput: Bool = false) throws -> Running {
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let partial = Locked<[UInt8]>([])
        let running = Locked<Running?>(nil)
        let early = Locked<Int32?>(nil)
        let pid = try spawn(executable, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                            holdingInput: holdingInput,
                            onOutput: { chunk in
                                let complete: [String] = partial.withLock { buffer in
                                    if chunk.isEmpty {
                                        defer { buffer = [] }
                                        return buffer.isEmpty ? [] : [String(decoding: buffer, as: UTF8.self)]
                                    }
                                    buffer += chunk
                                    var found: [String] = []
                                    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                                        found.append(String(decoding: buffer[..<newline], as: UTF8.self))
                                        buffer.removeSubrange(...newline)
                                    }
                                    return found
                                }
                                for line in complete { continuation.yield(line) }
                                if chunk.isEmpty { continuation.finish() }
                            },
                            onError: { chunk in
                                let handle = running.withLock { $0 }
                                handle?.errors.withLock { tail in
                                    tail += chunk
                                    if tail.count > 8192 { tail.removeFirst(tail.count - 8192) }
                                }
                            },
                            onExit: { status in
                                // The reaper may finish before `start` has made the handle.
                                let handle = running.withLock { handle -> Running? in
                                    if handle == nil { early.withLock { $0 = status } }
                                    return handle
                                }
                                handle?.exited(status)
                            })
        let handle = Running(pid: pid, lines: lines)
        running.withLock { $0 = handle }
        if let status = early.withLock({ $0 }) { handle.exited(status) }
        return handle
    }

    /// Spawns `executable`. `onOutput` gets stdout's bytes (or nil: stdout goes to /dev/null),
    /// `onError` stderr's, each ending with an empty chunk at EOF; `onExit` the exit status
    /// (negative: killed by that signal). Returns the pid.
    public static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], input: String? = nil,
                      holdingInput: Bool = false, onOutput: (@Sendable ([UInt8]) -> Void)?, onError: @escaping @Sendable ([UInt8]) -> Void,
                      onExit: @escaping @Sendable (Int32) -> Void) throws -> pid_t {
        func makePipe() throws -> [Int32] {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            return ends
        }
        let stdin = try makePipe()
        let stdout = onOutput == nil ? nil : try makePipe()
        let stderr = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin[0], 0)
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stderr[1], 2)
        // Nothing else: a pipe another thread of this process has just made (an exec step's
        // output, before it is marked close-on-exec) must not stay open in a long-lived child,
        // or whoever reads it waits for an end that comes only when that child exits.
        if let closeFrom = closeFrom { _ = closeFrom(&actions, 3) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The child starts with no signal blocked and every signal at its default: this
        // process's threads block some (the test runner's, NIO's), and a blocked mask is
        // inherited across exec (a shell that waits with SIGCHLD blocked waits for ever).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(stdin[0])
        if let stdout { close(stdout[1]) }
        close(stderr[1])
        guard spawned == 0 else {
            close(stdin[1])
            if let stdout { close(stdout[0]) }
            close(stderr[0])
            throw Failure(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        if let stdout, let onOutput { drain(stdout[0], onOutput) }
        drain(stderr[0], onError)
        let child = pid
        let writer = stdin[1]
        Thread.detachNewThread {
            if let input {
                let bytes = Array(input.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes.withUnsafeBytes { write(writer, $0.baseAddress! + offset, $0.count - offset) }
                    if written <= 0 { break }
                    offset += written
                }
            }
            if !holdingInput { close(writer) }
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            onExit((status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f))
        }
        return pid
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift's Glibc module does
    /// not declare: looked up at run time.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func drain(_ fd: Int32, _ deliver: @escaping @Sendable ([UInt8]) -> Void) {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                deliver(Array(buffer[0..<count]))
            }
            close(fd)
            deliver([])
        }
    }
}
