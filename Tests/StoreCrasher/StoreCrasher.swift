#if canImport(Glibc)
import Glibc
#endif
import GRDB
@testable import WorkflowEngine
import WorkflowStore
import WorkflowTestSupport

// workflowd-store-crasher DB-PATH [--recover resume|fail] [--die-at-commit K | --die-at-write K]
// workflowd-store-crasher DB-PATH --interrupted
//
// The first form writes through the SQLite store as fast as it can until it is killed: runs with
// a concurrent superstep (live event batches), a human-in-the-loop request answered while the run
// goes on (the inbox), queued runs and idempotency keys. On every start it recovers what the last
// process left through the engine (`WorkflowInstance(recovering:)`, `resumeRecovered`): the
// interrupted run resumes (or is recorded failed), seqs continue, queued runs start. It prints
// "ran N" after each run; the crash test kills it with SIGKILL at arbitrary points.
//
// The second form leaves a run interrupted for the recovery test: it starts a run whose superstep
// never ends, answers the run's request while it goes on, queues two runs (one with a key),
// prints "armed RUN REQUEST QUEUED1 QUEUED2" and waits to be killed.
//
// workflowd-store-crasher DB-PATH --promised
//
// The third form leaves a response accepted that no run has delivered yet: on a `pingpong`
// instance it answers a question while the run that asked it records its end (so the answer is
// promised to a continuation run), lets that commit go, holds the continuation's start for ever,
// prints "armed REQUEST CONTINUATION" and waits to be killed.

/// Writes a line to stdout unbuffered, so the test sees it at once.
func line(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

@main
struct StoreCrasher {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let path = arguments.first else { usage() }
        arguments.removeFirst()
        if arguments == ["--interrupted"] { try await interrupted(path) }
        if arguments == ["--promised"] { try await promised(path) }
        var mode = RecoveryMode.resume
        var commit: Int?
        var write: Int?
        while !arguments.isEmpty {
            let option = arguments.removeFirst()
            guard let value = arguments.first else { usage() }
            arguments.removeFirst()
            switch option {
            case "--recover": mode = RecoveryMode(rawValue: value) ?? mode
            case "--die-at-commit": commit = Int(value)
            case "--die-at-write": write = Int(value)
            default: usage()
            }
        }
        let store = try await SQLiteStore.open(path: path, configuration: .init(checkpointRetention: 20, eventRetention: nil))
        let workflow = try CrashWorkflows.crash()
        if try await store.instance(named: "crash") == nil {
            try await store.createInstance(InstanceRecord(name: "crash", definition: workflow.name, definitionHash: workflow.graphHash,
                                                          onBusy: "queue", createdAt: Timestamp.now()))
        }
        let recovered = try Optional.unwrap(try await store.recover(instance: "crash"), "instance 'crash' was not recovered")
        let instance = try WorkflowInstance(recovering: recovered.recovery, workflow: workflow,
                                            configuration: .init(store: store, onBusy: .queue))
        let events = try await instance.subscribe()
        if commit != nil || write != nil {
            try Saboteur(commit: commit, write: write).arm(store.database)
        }
        line("ready \(recovered.recovery.nextSeq)")
        try await instance.resumeRecovered(mode)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Answers every request as soon as it is announced (and those left open), while its run goes on.
            group.addTask {
                for request in await instance.pendingRequests { _ = try? await instance.respond(to: request.id, with: true) }
                for try await event in events {
                    if case .request(let request) = event.body {
                        _ = try? await instance.respond(to: request.id, with: true)
                    }
                }
            }
            group.addTask {
                var n = 0
                while true {
                    n += 1
                    let handle = try await instance.start(.number(Double(n)), idempotencyKey: "k\(n)")
                    if n % 3 == 0 { _ = try await instance.start(.number(Double(-n))) }  // queued behind it
                    _ = try await handle.result()
                    line("ran \(n)")
                }
            }
            try await group.next()
        }
    }

    static func usage() -> Never {
        line("usage: workflowd-store-crasher DB-PATH [--recover resume|fail] [--die-at-commit K | --die-at-write K] | DB-PATH --interrupted | DB-PATH --promised")
        exit(2)
    }

    /// Leaves a run interrupted with a response accepted but not delivered and two runs queued.
    static func interrupted(_ path: String) async throws -> Never {
        let store = try await SQLiteStore.open(path: path)
        let workflow = try CrashWorkflows.interrupted(blocking: true)
        try await store.createInstance(InstanceRecord(name: "hitl", definition: workflow.name, definitionHash: workflow.graphHash,
                                                      onBusy: "queue", createdAt: Timestamp.now()))
        let instance = WorkflowInstance(name: "hitl", workflow: workflow, configuration: .init(store: store, onBusy: .queue))
        let events = try await instance.subscribe()
        let run = try await instance.start("first", idempotencyKey: "first-key")
        var request: WorkflowRequest?
        for try await event in events {
            if case .request(let raised) = event.body {
                request = raised
                break
            }
        }
        guard let request else { exit(3) }
        _ = try await instance.respond(to: request.id, with: true)
        let queued1 = try await instance.start("second")
        let queued2 = try await instance.start("third", idempotencyKey: "third-key")
        line("armed \(run.runID) \(request.id) \(queued1.runID) \(queued2.runID)")
        try await Task.sleep(for: .seconds(3600))
        exit(4)
    }

    /// Leaves a response promised to a continuation run that never starts. The answer is
    /// committed apart from that run's start when something else is committed between the two:
    /// here, a checkpoint asked for while a cancelled run records its end (it is written as the
    /// run ends, before the continuation starts).
    static func promised(_ path: String) async throws -> Never {
        let sqlite = try await SQLiteStore.open(path: path)
        let store = HoldingStore(wrapping: sqlite)
        let gate = Gate()
        let workflow = try CrashWorkflows.pingpong(gate: gate)
        try await sqlite.createInstance(InstanceRecord(name: "pp", definition: workflow.name, definitionHash: workflow.graphHash,
                                                       onBusy: "reject", createdAt: Timestamp.now()))
        let instance = WorkflowInstance(name: "pp", workflow: workflow, configuration: .init(store: store))
        let events = try await instance.subscribe()
        _ = try await instance.start(0)
        await gate.arrived(1)
        var question: WorkflowRequest?
        for try await event in events {
            if case .request(let raised) = event.body {
                question = raised
                break
            }
        }
        guard let question else { exit(3) }
        // The run is cancelled; the commit of its end is held...
        let end = store.hold { batches in batches.contains { $0.ends(with: .cancelled) } }
        let cancelling = Task.detached { await instance.cancel() }
        await end.holding()
        // ...while the question is answered (the answer is promised to a continuation) and a
        // checkpoint is asked for; the continuation's start never reaches the database.
        let responding = Task.detached { try await instance.respond(to: question.id, with: 1) }
        while await instance.lifecycle.afterRun.isEmpty { await Task.yield() }
        let checkpointing = Task.detached { try await instance.takeCheckpoint() }
        while await instance.boundaryWaiters.isEmpty { await Task.yield() }
        let start = store.hold { batches in batches.contains(where: \.startsARun) }
        end.release()
        _ = await cancelling.value
        let outcome = try await responding.value
        _ = try await checkpointing.value
        await start.holding()
        line("armed \(question.id) \(outcome.runID)")
        try await Task.sleep(for: .seconds(3600))
        exit(4)
    }
}

extension Optional {
    static func unwrap(_ value: Wrapped?, _ message: String) throws -> Wrapped {
        guard let value else { throw WorkflowError(.storeFailed, message) }
        return value
    }
}
