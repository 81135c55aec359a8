import Foundation
import NIOConcurrencyHelpers

/// A child process spawned with posix_spawn and reaped by a thread of its own (waitpid), its
/// output read by threads of their own as it comes. (Foundation's `Process` stops reaping the
/// children of a test process that also runs `systemd-socket-activate`, so the tests that start
/// daemons do not use it.) Its pipes are close-on-exec in this process, and the child gets no
/// descriptor but its three, so no child keeps another's pipe open.
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Spawns `executable`. `onOutput` gets stdout's bytes (or nil: stdout goes to /dev/null),
    /// `onError` stderr's, each ending with an empty chunk at EOF; `onExit` the exit status
    /// (negative: killed by that signal). Returns the pid.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], input: String? = nil,
                      onOutput: (@Sendable ([UInt8]) -> Void)?, onError: @escaping @Sendable ([UInt8]) -> Void,
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
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
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
            close(writer)
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
