#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Subprocess
import Synchronization
import SystemPackage
import WorkflowConcurrency
import WorkflowEngine

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

    /// stdout may hold at most this much (it is read as it comes; more fails the attempt).
    static let outputLimit = 16 << 20
    /// Only the end of stderr is kept (for the error), however much a program writes.
    static let errorTailLimit = 4096

    private func runOnce(_ input: [UInt8]) async throws -> [ExecAction] {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(configuration.grace))]
        var environment: [Environment.Key: String?] = [:]
        for key in ProgramCall.withheldVariables { if let name = Environment.Key(rawValue: key) { environment[name] = .some(nil) } }
        if let traceparent = ProgramCall.traceparent, let name = Environment.Key(rawValue: "TRACEPARENT") { environment[name] = traceparent }
        for (key, value) in configuration.environment {
            if let name = Environment.Key(rawValue: key) { environment[name] = value }
        }
        let configuration = self.configuration
        let updated = Environment.inherit.updating(environment)
        let platform = options
        let group = ProcessGroup()
        // The document goes in through an unlinked temporary file, not a pipe: a program that
        // exits without reading it must fail its step, not raise SIGPIPE in the daemon.
        let stdin = try await BlockingWork.run { try Self.inputFile(input) }
        let finished: Finished?
        do {
            finished = try await withThrowingTaskGroup(of: Finished?.self) { tasks in
                tasks.addTask {
                    let result = try await Subprocess.run(
                        .path(FilePath(configuration.program)), arguments: Arguments(configuration.arguments),
                        environment: updated, workingDirectory: configuration.workingDirectory.map { FilePath($0) },
                        platformOptions: platform, input: .fileDescriptor(stdin, closeAfterSpawningProcess: true),
                        output: .sequence, error: .sequence
                    ) { execution in
                        group.started(execution.processIdentifier.value)
                        return try await Self.drain(execution.standardOutput, execution.standardError, group: group)
                    }
                    return Finished(status: result.terminationStatus, output: result.closureResult.output, error: result.closureResult.error)
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
            await group.killAndWait()
            throw error
        }
        // Whatever the program left behind in its group goes with it, before the step ends.
        await group.killAndWait()
        guard let finished else {
            throw ExecFailure(description: "timed out after \(Self.seconds(configuration.timeout)) (its process group was terminated)", failure: "timeout")
        }
        switch finished.status {
        case .exited(let code) where code != 0:
            throw ExecFailure(description: "exited with status \(code)" + Self.tail(finished.error), failure: "exit:\(code)")
        case .signaled(let signal):
            throw ExecFailure(description: "was killed by signal \(signal)" + Self.tail(finished.error), failure: "crash")
        default:
            break
        }
        do {
            return try ExecAction.parse(finished.output)
        } catch let failure as ExecFailure {
            throw ExecFailure(description: failure.description + Self.tail(finished.error))
        }
    }

    /// Reads stdout (at most ``outputLimit``) and stderr (keeping its tail) at once, so that
    /// neither pipe can fill up and stall the program.
    static func drain(_ output: SubprocessOutputSequence, _ error: SubprocessOutputSequence,
                      group: ProcessGroup) async throws -> (output: [UInt8], error: [UInt8]) {
        async let tail: [UInt8] = {
            var tail = OutputTail(capacity: errorTailLimit)
            do {
                for try await buffer in error { buffer.withUnsafeBytes { tail.append($0) } }
            } catch {
                // Not swallowed: the step's error (which quotes this tail) says so.
                Array("\n[stderr could not be read to its end: \(error)]".utf8).withUnsafeBytes { tail.append($0) }
            }
            return tail.bytes
        }()
        var collected: [UInt8] = []
        for try await buffer in output {
            guard collected.count + buffer.count <= outputLimit else {
                // Stopped at once, so that its stderr ends too and nothing waits for it.
                if let pid = group.pid { kill(-pid, SIGKILL) }
                throw ExecFailure(description: "printed more than \(outputLimit >> 20) MiB on stdout (it was stopped)")
            }
            buffer.withUnsafeBytes { collected.append(contentsOf: $0) }
        }
        return (collected, await tail)
    }

    /// An anonymous file holding `bytes`, positioned at its start (it blocks: run it off the pool).
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

extension String {
    func trimmingTrailingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
