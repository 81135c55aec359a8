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

/// A long-lived child process that speaks NDJSON JSON-RPC 2.0 over its stdin and stdout (one
/// message per line): workflowd sends `{"jsonrpc":"2.0","id":N,"method":"execute","params":DOC}`
/// and the worker answers `{"jsonrpc":"2.0","id":N,"result":{"actions":[...]}}` (or an `error`).
///
/// It starts on the first call, in its own process group. If it dies, calls in flight fail and
/// the next call starts a new one. A call that is cancelled (a run cancelled, a reset, shutdown)
/// or times out stops the worker, which may be stuck: TERM to its group, then KILL after the
/// grace period, so a cancel never waits longer than that for a worker that does not answer.
/// ``stop()`` does the same for the instance's reset, deletion or shutdown. Only the last
/// ``stderrTailLimit`` bytes of its stderr are kept, however much it writes.
actor WorkerProcess {
    let configuration: ExecConfiguration
    private var task: Task<Void, Never>?
    private var writer: StandardInputWriter?
    private var group: ProcessGroup?
    private var starting: [CheckedContinuation<Void, any Error>] = []
    private var nextID = 1
    /// How the last process ended, for the errors of calls that it left unanswered.
    private var lastExit = ""
    private(set) var starts = 0
    /// Calls in flight: an answer may arrive before anyone waits for it.
    private var slots: [Int: Promise<JSON>] = [:]

    static let stderrTailLimit = 4096

    private static let ignoreSIGPIPE: Void = {
        // A write to a worker that has just died must fail, not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
    }()

    init(configuration: ExecConfiguration) {
        self.configuration = configuration
    }

    /// Sends one `execute` call and waits for its result (at most the configured timeout; a
    /// worker that does not answer in time is restarted). A cancelled call stops the worker.
    func execute(_ document: JSON) async throws -> JSON {
        do {
            return try await call(document)
        } catch is CancellationError {
            // It may be in the middle of the message, or stuck: it goes (TERM, then KILL).
            await shutdown()
            throw CancellationError()
        }
    }

    private func call(_ document: JSON) async throws -> JSON {
        try await ensureRunning()
        guard let writer else { throw ExecFailure(description: "the worker is not running\(lastExit)") }
        let id = nextID
        nextID += 1
        let slot = Promise<JSON>()
        slots[id] = slot
        defer { slots[id] = nil }
        let request: JSON = ["jsonrpc": "2.0", "id": .number(Double(id)), "method": "execute", "params": document]
        do {
            _ = try await writer.write(request.serializedBytes() + [0x0A])
        } catch {
            throw ExecFailure(description: "could not write to the worker: \(error)\(lastExit)")
        }
        let timeout = configuration.timeout
        let answer = try await withThrowingTaskGroup(of: JSON?.self) { group in
            group.addTask { try await slot.value() }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let answer else {
            slot.resolve(.failure(CancellationError()))
            await shutdown()
            throw ExecFailure(description: "the worker did not answer within \(ExecExecutor.seconds(timeout)) (it was restarted)", failure: "timeout")
        }
        return answer
    }

    private func ensureRunning() async throws {
        if writer != nil { return }
        if task == nil {
            _ = Self.ignoreSIGPIPE
            starts += 1
            let group = ProcessGroup()
            self.group = group
            task = Task { await self.run(group) }
        }
        try await withCheckedThrowingContinuation { starting.append($0) }
    }

    private func run(_ group: ProcessGroup) async {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(configuration.grace))]
        var environment: [Environment.Key: String?] = [:]
        for key in ProgramCall.withheldVariables { if let name = Environment.Key(rawValue: key) { environment[name] = .some(nil) } }
        for (key, value) in configuration.environment {
            if let name = Environment.Key(rawValue: key) { environment[name] = value }
        }
        var exit = ""
        do {
            let result = try await Subprocess.run(
                .path(FilePath(configuration.program)), arguments: Arguments(configuration.arguments),
                environment: Environment.inherit.updating(environment),
                workingDirectory: configuration.workingDirectory.map { FilePath($0) }, platformOptions: options,
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution -> [UInt8] in
                group.started(execution.processIdentifier.value)
                self.attach(execution.standardInputWriter)
                async let stderr: [UInt8] = {
                    var tail = OutputTail(capacity: WorkerProcess.stderrTailLimit)
                    do {
                        for try await buffer in execution.standardError { buffer.withUnsafeBytes { tail.append($0) } }
                    } catch {}
                    return tail.bytes
                }()
                do {
                    for try await line in execution.standardOutput.strings(bufferingPolicy: .maxLineLength(16 << 20)) {
                        self.received(line)
                    }
                } catch {
                    // A line too long, or a broken pipe: the worker goes (its stderr ends with it).
                    if let pid = group.pid { kill(-pid, SIGKILL) }
                    _ = await stderr
                    throw error
                }
                return await stderr
            }
            exit = "; it exited (\(result.terminationStatus))" + ExecExecutor.tail(result.closureResult)
        } catch {
            exit = "; it stopped: \(error)"
        }
        await group.killAndWait()
        detach(exit)
    }

    private func attach(_ writer: StandardInputWriter) {
        self.writer = writer
        for waiter in starting { waiter.resume() }
        starting = []
    }

    private func received(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace) else { return }
        guard let message = try? JSON(parsing: line), let id = message["id"]?.intValue, let slot = slots[id] else {
            return  // not an answer to a call in flight (a notification, or a stray line): ignored
        }
        if let error = message["error"] {
            let text = error["message"]?.stringValue ?? error.serialized()
            // A worker names its error with `code` (a number or a string) and may mark it final in
            // `data.final`: a retry policy's `on: [error:CODE]` reads these.
            let code = error["code"].map { $0.stringValue ?? $0.serialized() }
            slot.resolve(.failure(ExecFailure(description: "the worker answered with an error: \(text)", errorCode: code,
                                              final: error["data"]?["final"] == .bool(true))))
        } else {
            slot.resolve(.success(message["result"] ?? .null))
        }
    }

    private func detach(_ exit: String) {
        writer = nil
        task = nil
        group = nil
        lastExit = exit
        let failure = ExecFailure(description: "the worker stopped before answering\(exit)", failure: "crash")
        for (_, slot) in slots { slot.resolve(.failure(failure)) }
        for waiter in starting { waiter.resume(throwing: ExecFailure(description: "the worker could not start\(exit)")) }
        starting = []
    }

    /// Stops the worker (TERM to its process group, KILL after the grace period) and waits.
    func shutdown() async {
        guard let task else { return }
        task.cancel()
        await task.value
    }

    /// The worker's process id, while it runs.
    var processID: pid_t? { group?.pid }
}
