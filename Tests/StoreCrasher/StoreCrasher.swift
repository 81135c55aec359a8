#if canImport(Glibc)
import Glibc
#endif
import GRDB
import WorkflowEngine
import WorkflowStore

// workflowd-store-crasher DB-PATH [--die-at-commit K | --die-at-change K]
//
// Writes through the SQLite store as fast as it can until it is killed: runs with a concurrent
// superstep (live event batches), a human-in-the-loop request answered while the run goes on
// (the inbox), queued runs and idempotency keys. On every start it recovers what the last process
// left: interrupted runs are marked failed, seqs continue, and the lineage head is restored. It
// prints "ran N" after each run; the crash test kills it with SIGKILL at arbitrary points.

/// Writes a line to stdout unbuffered, so the test sees it at once.
func line(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

func workflow() throws -> Workflow {
    var builder = WorkflowBuilder(name: "crash", start: "start")
    builder.addExecutor("start", kind: "start") {
        FunctionExecutor { message, context in
            context.setState("last", message)
            context.send(["n": message, "left": 3])
        }
    }
    builder.addExecutor("ask", kind: "ask") {
        FunctionExecutor { message, context in context.requestInfo(["n": message["n"] ?? nil], schema: ["type": "boolean"]) }
    }
    builder.addExecutor("work", kind: "work") {
        FunctionExecutor(runsInline: false) { message, context in
            context.emit("working", data: message)
            let left = (message["left"]?.doubleValue ?? 0) - 1
            context.setState("left", .number(left))
            context.send(["n": message["n"] ?? nil, "left": .number(left)])
        }
    }
    builder.addExecutor("done", kind: "done") { FunctionExecutor { message, context in context.send(message) } }
    // A tail of fast inline supersteps, whose commits are grouped.
    for step in 1...6 {
        builder.addExecutor("tail\(step)", kind: "tail") { FunctionExecutor { message, context in
            context.setState("tail", .number(Double(step)))
            if step < 6 { context.send(message) } else { context.yieldOutput(message) }
        } }
        builder.addEdge(from: step == 1 ? "done" : "tail\(step - 1)", to: "tail\(step)")
    }
    builder.addFanOut(from: "start", to: ["ask", "work"])
    builder.addSwitch(from: "work", cases: [SwitchCase(when: EdgeCondition("message.left > 0") { message, _ in
        (message["left"]?.doubleValue ?? 0) > 0
    }, to: "work")], default: "done")
    builder.addEdge(from: "ask", to: "done")
    return try builder.build()
}

/// Kills the process with SIGKILL at the K-th commit (just before it lands) or at the K-th row
/// change inside a transaction: crash points no outside timing can hit reliably.
final class Saboteur: TransactionObserver, @unchecked Sendable {
    // Only the database's writer calls these methods, one at a time.
    private var commits: Int
    private var changes: Int

    init(commit: Int?, change: Int?) {
        commits = commit ?? -1
        changes = change ?? -1
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }

    func databaseDidChange(with event: DatabaseEvent) {
        changes -= 1
        if changes == 0 { raise(SIGKILL) }
    }

    func databaseWillCommit() throws {
        commits -= 1
        if commits == 0 { raise(SIGKILL) }
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

@main
struct StoreCrasher {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 || (arguments.count == 4 && ["--die-at-commit", "--die-at-change"].contains(arguments[2]) && Int(arguments[3]) != nil) else {
            line("usage: workflowd-store-crasher DB-PATH [--die-at-commit K | --die-at-change K]")
            exit(2)
        }
        let store = try SQLiteStore(path: arguments[1], configuration: .init(checkpointRetention: 20, eventRetention: nil))
        let workflow = try workflow()
        if try store.instance(named: "crash") == nil {
            try store.createInstance(InstanceRecord(name: "crash", definition: workflow.name, definitionHash: workflow.graphHash,
                                                    onBusy: "queue", createdAt: Timestamp.now()))
        }
        let recovered = try Optional.unwrap(try store.recover().first { $0.record.name == "crash" }, "instance 'crash' was not recovered")
        try store.failInterruptedRuns(instance: "crash", reason: "interrupted: the process was killed")
        let instance = WorkflowInstance(name: "crash", workflow: workflow,
                                        configuration: .init(store: store, onBusy: .queue), nextSeq: recovered.nextSeq)
        let events = try await instance.subscribe()
        if let head = recovered.head {
            _ = try await instance.rewind(to: head.id)
        }
        if arguments.count == 4 {
            let count = Int(arguments[3])!
            let saboteur = Saboteur(commit: arguments[2] == "--die-at-commit" ? count : nil, change: arguments[2] == "--die-at-change" ? count : nil)
            store.database.add(transactionObserver: saboteur, extent: .databaseLifetime)
        }
        line("ready \(recovered.nextSeq)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Answers every request as soon as it is announced, while its run goes on.
            group.addTask {
                for await event in events {
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
}

extension Optional {
    static func unwrap(_ value: Wrapped?, _ message: String) throws -> Wrapped {
        guard let value else { throw WorkflowError(.storeFailed, message) }
        return value
    }
}
