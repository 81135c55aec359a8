import WorkflowEngine

/// Workflows shared by the processes the crash and recovery tests kill (`workflowd-store-crasher`)
/// and the tests that reopen what they left: both sides build the same graph (same hash).
public enum CrashWorkflows {
    /// Runs with a concurrent superstep (live event batches), a request answered while the run
    /// goes on, and a tail of fast inline supersteps (grouped commits).
    public static func crash() throws -> Workflow {
        var builder = WorkflowBuilder(name: "crash", start: "start")
        builder.addExecutor("start", kind: "start") {
            FunctionExecutor(runsInline: true) { message, context in
                context.setState("last", message)
                context.send(["n": message, "left": 3])
            }
        }
        builder.addExecutor("ask", kind: "ask") {
            FunctionExecutor(runsInline: true) { message, context in context.requestInfo(["n": message["n"] ?? nil], schema: ["type": "boolean"]) }
        }
        builder.addExecutor("work", kind: "work") {
            FunctionExecutor { message, context in
                context.emit("working", data: message)
                let left = (message["left"]?.doubleValue ?? 0) - 1
                context.setState("left", .number(left))
                context.send(["n": message["n"] ?? nil, "left": .number(left)])
            }
        }
        builder.addExecutor("done", kind: "done") { FunctionExecutor(runsInline: true) { message, context in context.send(message) } }
        for step in 1...6 {
            builder.addExecutor("tail\(step)", kind: "tail") { FunctionExecutor(runsInline: true) { message, context in
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

    /// start → [ask, work] → join → out. `ask` asks a person; `work` waits for ever when
    /// `blocking` (in the process that is killed) and passes its message on otherwise (in the
    /// process that recovers), so an interrupted run has a response accepted but not delivered.
    public static func interrupted(blocking: Bool) throws -> Workflow {
        var builder = WorkflowBuilder(name: "interrupted", start: "start")
        builder.addExecutor("start", kind: "pass") { FunctionExecutor(runsInline: true) { message, context in context.send(message) } }
        builder.addExecutor("ask", kind: "ask") {
            FunctionExecutor(runsInline: true) { message, context in context.requestInfo(["approve": message], schema: ["type": "boolean"]) }
        }
        builder.addExecutor("work", kind: "work") {
            FunctionExecutor { message, context in
                if blocking { try await Task.sleep(for: .seconds(3600)) }
                context.setState("worked", message)
                context.send(message)
            }
        }
        builder.addExecutor("join", kind: "pass") { FunctionExecutor(runsInline: true) { message, context in context.send(message) } }
        builder.addExecutor("out", kind: "out") { FunctionExecutor(runsInline: true) { message, context in context.yieldOutput(message) } }
        builder.addFanOut(from: "start", to: ["ask", "work"])
        builder.addFanIn(from: ["ask", "work"], to: "join")
        builder.addEdge(from: "join", to: "out")
        return try builder.build()
    }

    /// start → [ask, work]. `ask` asks for a number; each answer is appended to the state's
    /// `answers` and followed by the next question. `work` waits for `gate` when one is given (in
    /// the process that is killed, so that its first run is inside a concurrent superstep).
    public static func pingpong(gate: Gate? = nil) throws -> Workflow {
        var builder = WorkflowBuilder(name: "pingpong", start: "start")
        builder.addExecutor("start", kind: "pass") { FunctionExecutor(runsInline: true) { message, context in context.send(message) } }
        builder.addExecutor("ask", kind: "ask") { PingPong() }
        builder.addExecutor("work", kind: "work") { FunctionExecutor { _, _ in try await gate?.wait() } }
        builder.addFanOut(from: "start", to: ["ask", "work"])
        return try builder.build()
    }

    struct PingPong: Executor {
        var runsInline: Bool { true }
        mutating func handle(_ message: JSON, context: inout ExecutorContext) async throws {
            context.requestInfo("a number?", schema: ["type": "number"])
        }
        mutating func handleResponse(_ response: JSON, to request: WorkflowRequest, context: inout ExecutorContext) async throws {
            context.setState("answers", .array((context.state("answers")?.arrayValue ?? []) + [response]))
            context.requestInfo("another?", schema: ["type": "number"])
        }
    }
}
