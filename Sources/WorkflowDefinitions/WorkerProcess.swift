#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Subprocess
import Synchronization
import SystemPackage
import WorkflowEngine

/// A long-lived child process that speaks NDJSON JSON-RPC 2.0 over its stdin and stdout (one
/// message per line): workflowd sends `{"jsonrpc":"2.0","id":N,"method":"execute","params":DOC}`
/// and the worker answers `{"jsonrpc":"2.0","id":N,"result":{"actions":[...]}}` (or an `error`).
///
/// It starts on the first call, in its own process group. If it dies, calls in flight fail and
/// the next call starts a new one. ``stop()`` (instance reset, deletion, shutdown) ends it: TERM
/// to its group, then KILL after the grace period. The task that runs it belongs to this actor.
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

    private static let ignoreSIGPIPE: Void = {
        // A write to a worker that has just died must fail, not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
    }()

    init(configuration: ExecConfiguration) {
        self.configuration = configuration
    }

    /// One call in flight: its answer may arrive before anyone waits for it.
    private final class Slot {
        var answer: Result<JSON, any Error>?
        var waiter: CheckedContinuation<JSON, any Error>?

        func resolve(_ result: Result<JSON, any Error>) {
            if let waiter {
                self.waiter = nil
                waiter.resume(with: result)
            } else if answer == nil {
                answer = result
            }
        }
    }

    private var slots: [Int: Slot] = [:]

    /// Sends one `execute` call and waits for its result (at most the configured timeout; a
    /// worker that does not answer in time is restarted).
    func execute(_ document: JSON) async throws -> JSON {
        try await ensureRunning()
        guard let writer else { throw ExecFailure(description: "the worker is not running\(lastExit)") }
        let id = nextID
        nextID += 1
        slots[id] = Slot()
        let request: JSON = ["jsonrpc": "2.0", "id": .number(Double(id)), "method": "execute", "params": document]
        do {
            _ = try await writer.write(request.serializedBytes() + [0x0A])
        } catch {
            slots[id] = nil
            throw ExecFailure(description: "could not write to the worker: \(error)\(lastExit)")
        }
        let timeout = configuration.timeout
        return try await withThrowingTaskGroup(of: JSON?.self) { group in
            group.addTask { try await self.answer(id) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next() ?? nil else {
                await self.abandon(id)
                await self.stop()
                throw ExecFailure(description: "the worker did not answer within \(ExecExecutor.seconds(timeout)) (it was restarted)")
            }
            return answer
        }
    }

    private func answer(_ id: Int) async throws -> JSON {
        guard let slot = slots[id] else { throw CancellationError() }
        defer { slots[id] = nil }
        if let answer = slot.answer { return try answer.get() }
        return try await withCheckedThrowingContinuation { slot.waiter = $0 }
    }

    private func abandon(_ id: Int) {
        slots.removeValue(forKey: id)?.resolve(.failure(CancellationError()))
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
        for (key, value) in configuration.environment {
            if let name = Environment.Key(rawValue: key) { environment[name] = value }
        }
        var exit = ""
        do {
            let result = try await Subprocess.run(
                .path(FilePath(configuration.program)), arguments: Arguments(configuration.arguments),
                environment: Environment.inherit.updating(environment),
                workingDirectory: configuration.workingDirectory.map { FilePath($0) }, platformOptions: options,
                input: .inputWriter, output: .sequence, error: .bytes(limit: 256 << 10)
            ) { execution in
                group.started(execution.processIdentifier.value)
                await self.attach(execution.standardInputWriter)
                for try await line in execution.standardOutput.strings(bufferingPolicy: .maxLineLength(16 << 20)) {
                    await self.received(line)
                }
            }
            exit = "; it exited (\(result.terminationStatus))" + ExecExecutor.tail(result.standardError)
        } catch {
            exit = "; it stopped: \(error)"
        }
        group.killAndWait()
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
            slot.resolve(.failure(ExecFailure(description: "the worker answered with an error: \(text)")))
        } else {
            slot.resolve(.success(message["result"] ?? .null))
        }
    }

    private func detach(_ exit: String) {
        writer = nil
        task = nil
        group = nil
        lastExit = exit
        let failure = ExecFailure(description: "the worker stopped before answering\(exit)")
        for (_, slot) in slots { slot.resolve(.failure(failure)) }
        for waiter in starting { waiter.resume(throwing: ExecFailure(description: "the worker could not start\(exit)")) }
        starting = []
    }

    /// Stops the worker (TERM to its process group, KILL after the grace period) and waits.
    func stop() async {
        guard let task else { return }
        task.cancel()
        await task.value
    }

    /// The worker's process id, while it runs.
    var processID: pid_t? { group?.pid }
}

/// `kind: worker`: each message becomes an `execute` call to the executor's worker process
/// (see ``WorkerProcess``); the result's `actions` are applied as an `exec` program's would be.
struct WorkerExecutor: Executor {
    let worker: WorkerProcess
    let retries: Int
    let backoff: Double
    var runsInline: Bool { false }

    mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
        let document = ProgramCall.document(message, context)
        let worker = self.worker
        try await ProgramCall.withRetries("worker " + worker.configuration.program, retries: retries, backoff: backoff,
                                          context: &context) {
            try Self.actions(try await worker.execute(document))
        }
    }

    /// `{"actions": [...]}` → actions; `null` → none.
    static func actions(_ result: JSON) throws -> [ExecAction] {
        if result.isNull { return [] }
        guard case .array(let list)? = result["actions"] else {
            throw ExecFailure(description: "the worker's result must be {\"actions\": [...]}, got \(result.serialized().prefix(200))")
        }
        var actions: [ExecAction] = []
        for (index, item) in list.enumerated() {
            guard let action = ExecAction(item) else {
                throw ExecFailure(description: "action \(index) of the worker's result is not send, output, setState or event: \(item.serialized().prefix(200))")
            }
            actions.append(action)
        }
        return actions
    }

    func shutdown() async {
        await worker.stop()
    }
}
