#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Subprocess
import Synchronization
import SystemPackage
import WorkflowEngine

/// How an `exec` executor runs its program (from the definition).
struct ExecConfiguration: Sendable {
    var program: String
    var arguments: [String]
    var environment: [String: String]
    var workingDirectory: String?
    var timeout: Double
    var retries: Int
    var backoff: Double
    /// How long TERM may take before KILL, when the process group is torn down.
    var grace: Double
}

/// Why one attempt of an `exec` program failed (the text goes into the executor's error).
struct ExecFailure: Error, CustomStringConvertible {
    var description: String
}

/// `kind: exec`: one process per message, in its own process group.
///
/// stdin gets one JSON document: `{message, state, instance, runId, executor, superstep}`.
/// stdout is either JSON lines of actions (`{"send": v}` with an optional `"to"`,
/// `{"output": v}`, `{"setState": {key: value}}`, `{"event": name, "data": v}`) or one JSON value,
/// which is sent on. A non-zero exit, malformed output or a timeout fails the attempt with the
/// exit status and the tail of stderr; attempts are retried with exponential backoff. Cancelling
/// (or a timeout) sends TERM to the whole process group, then KILL after the grace period; after
/// a normal exit anything the program left running in its group is killed too.
struct ExecExecutor: Executor {
    let configuration: ExecConfiguration
    var runsInline: Bool { false }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let input = ProgramCall.document(message, context).serializedBytes()
        let configuration = self.configuration
        try await ProgramCall.withRetries(configuration.program, retries: configuration.retries, backoff: configuration.backoff,
                                          context: &context) {
            try await runOnce(input)
        }
    }

    private func runOnce(_ input: [UInt8]) async throws -> [ExecAction] {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(configuration.grace))]
        var environment: [Environment.Key: String?] = [:]
        for (key, value) in configuration.environment {
            if let name = Environment.Key(rawValue: key) { environment[name] = value }
        }
        let configuration = self.configuration
        let updated = Environment.inherit.updating(environment)
        let platform = options
        let group = ProcessGroup()
        // The document goes in through an unlinked temporary file, not a pipe: a program that
        // exits without reading it must fail its step, not raise SIGPIPE in the daemon.
        let stdin = try Self.inputFile(input)
        let finished: Finished?
        do {
            finished = try await withThrowingTaskGroup(of: Finished?.self) { tasks in
                tasks.addTask {
                    let result = try await Subprocess.run(
                        .path(FilePath(configuration.program)), arguments: Arguments(configuration.arguments),
                        environment: updated, workingDirectory: configuration.workingDirectory.map { FilePath($0) },
                        platformOptions: platform, input: .fileDescriptor(stdin, closeAfterSpawningProcess: true),
                        output: .bytes(limit: 16 << 20), error: .bytes(limit: 1 << 20)
                    ) { execution in
                        group.started(execution.processIdentifier.value)
                    }
                    return Finished(status: result.terminationStatus, output: result.standardOutput, error: result.standardError)
                }
                tasks.addTask {
                    try await Task.sleep(for: .seconds(configuration.timeout))
                    return nil
                }
                let first = try await tasks.next() ?? nil
                tasks.cancelAll()  // a timeout cancels the run, which tears the process group down
                return first
            }
        } catch {
            group.killAndWait()
            throw error
        }
        // Whatever the program left behind in its group goes with it, before the step ends.
        group.killAndWait()
        guard let finished else {
            throw ExecFailure(description: "timed out after \(Self.seconds(configuration.timeout)) (its process group was terminated)")
        }
        switch finished.status {
        case .exited(let code) where code != 0:
            throw ExecFailure(description: "exited with status \(code)" + Self.tail(finished.error))
        case .signaled(let signal):
            throw ExecFailure(description: "was killed by signal \(signal)" + Self.tail(finished.error))
        default:
            break
        }
        do {
            return try ExecAction.parse(finished.output)
        } catch let failure as ExecFailure {
            throw ExecFailure(description: failure.description + Self.tail(finished.error))
        }
    }

    /// An anonymous file holding `bytes`, positioned at its start.
    static func inputFile(_ bytes: [UInt8]) throws -> FileDescriptor {
        var template = Array("/tmp/workflowd-exec-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw ExecFailure(description: "could not create its input file (errno \(errno))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                close(descriptor)
                throw ExecFailure(description: "could not write its input file (errno \(errno))")
            }
            written += count
        }
        lseek(descriptor, 0, SEEK_SET)
        return FileDescriptor(rawValue: descriptor)
    }

    /// What a finished process left.
    struct Finished: Sendable {
        var status: TerminationStatus
        var output: [UInt8]
        var error: [UInt8]
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded()))ms" : (value.rounded() == value ? "\(Int(value))s" : "\(value)s")
    }

    /// `; stderr: …` with the last 2 KB of stderr, if there was any.
    static func tail(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.suffix(2048), as: UTF8.self).trimmingTrailingWhitespace()
        return text.isEmpty ? "" : "; stderr: \(text)"
    }
}

/// What `exec` and `worker` executors share: the input document and the retry policy.
enum ProgramCall {
    /// `{message, state, instance, runId, executor, superstep}`
    static func document(_ message: JSON, _ context: ExecutorContext) -> JSON {
        ["message": message, "state": .object(context.state), "instance": .string(context.instanceName),
         "runId": .string(context.runID), "executor": .string(context.executorID), "superstep": .number(Double(context.superstep))]
    }

    /// Runs `attempt` until it succeeds, retrying an ``ExecFailure`` `retries` times with
    /// exponential backoff (each retry announced in a warning), then applies its actions.
    static func withRetries(_ program: String, retries: Int, backoff: Double, context: inout ExecutorContext,
                            attempt: () async throws -> [ExecAction]) async throws {
        var attempts = 0
        while true {
            do {
                for action in try await attempt() { action.apply(to: &context) }
                return
            } catch let failure as ExecFailure {
                attempts += 1
                guard attempts <= retries, !Task.isCancelled else {
                    let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
                    throw WorkflowError(.executorFailed, "\(program)\(tries): \(failure)")
                }
                let delay = backoff * Double(1 << min(attempts - 1, 16))
                context.warn("attempt \(attempts) of \(program) failed (\(failure)); retrying in \(delay)s")
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }
}

/// The process group of one program run (its pgid is the program's pid). Killing it waits,
/// briefly, until none of its processes is still running, so a cancelled or finished step leaves
/// nothing behind.
final class ProcessGroup: Sendable {
    private let leader = Mutex<pid_t?>(nil)

    func started(_ pid: pid_t) {
        leader.withLock { $0 = pid }
    }

    /// The leader's pid (the group's id), once started.
    var pid: pid_t? { leader.withLock { $0 } }

    func killAndWait(timeout: Double = 2) {
        guard let pgid = leader.withLock({ $0 }), pgid > 0 else { return }
        guard kill(-pgid, SIGKILL) == 0 else { return }  // ESRCH: nothing left
        let deadline = Timestamp.monotonic() + timeout
        var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
        while Self.hasRunningMembers(pgid), Timestamp.monotonic() < deadline {
            nanosleep(&pause, nil)
        }
    }

    /// Whether a process of group `pgid` is still running (zombies have stopped; they only wait
    /// to be reaped).
    static func hasRunningMembers(_ pgid: pid_t) -> Bool {
        guard let directory = opendir("/proc") else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), let stat = readSmallFile("/proc/\(pid)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let group = Int32(fields[2]) else { continue }
            if group == pgid && fields[0] != "Z" && fields[0] != "X" { return true }
        }
        return false
    }

    static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(descriptor, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}

/// One thing an `exec` or `worker` program asks for.
enum ExecAction: Sendable, Equatable {
    case send(JSON, to: String?)
    case output(JSON)
    case setState(JSONObject)
    case event(String, JSON)

    /// Reads an action line, or nil if the value is not an action.
    init?(_ json: JSON) {
        guard case .object(let object) = json else { return nil }
        let keys = Set(object.keys)
        if let value = object["send"], keys.isSubset(of: ["send", "to"]) {
            if let to = object["to"], to.stringValue == nil { return nil }
            self = .send(value, to: object["to"]?.stringValue)
        } else if let value = object["output"], keys == ["output"] {
            self = .output(value)
        } else if case .object(let changes)? = object["setState"], keys == ["setState"] {
            self = .setState(changes)
        } else if case .string(let name)? = object["event"], keys.isSubset(of: ["event", "data"]) {
            self = .event(name, object["data"] ?? .null)
        } else {
            return nil
        }
    }

    /// Lines of actions, or else the whole output as one value to send; empty output sends nothing.
    static func parse(_ bytes: [UInt8]) throws -> [ExecAction] {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
        if lines.isEmpty { return [] }
        var actions: [ExecAction] = []
        for line in lines {
            guard let json = try? JSON(parsing: String(line)), let action = ExecAction(json) else {
                actions = []
                break
            }
            actions.append(action)
        }
        if !actions.isEmpty { return actions }
        do {
            return [.send(try JSON(parsing: text), to: nil)]
        } catch {
            let first = lines.first.map { String($0.prefix(200)) } ?? ""
            throw ExecFailure(description: "printed malformed output (\(error.message) at byte \(error.offset)); it must be one JSON value or JSON lines of actions; the output began: \(first)")
        }
    }

    func apply(to context: inout ExecutorContext) {
        switch self {
        case .send(let value, let to): context.send(value, to: to)
        case .output(let value): context.yieldOutput(value)
        case .setState(let changes): for (key, value) in changes { context.setState(key, value) }
        case .event(let name, let data): context.emit(name, data: data)
        }
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
