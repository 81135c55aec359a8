import Foundation
import Testing
import WorkflowDefinitions
import WorkflowEngine

/// A Python worker: echoes with its pid, answers errors and dies on request.
let pythonWorker = """
    #!/usr/bin/env python3
    import json, os, sys
    for line in sys.stdin:
        request = json.loads(line)
        message = request["params"]["message"]
        if message == "die":
            os._exit(7)
        if message == "error":
            answer = {"jsonrpc": "2.0", "id": request["id"], "error": {"code": 1, "message": "cannot do that"}}
        else:
            actions = [{"send": {"pid": os.getpid(), "echo": message}},
                       {"setState": {"calls": request["params"]["state"].get("calls", 0) + 1}}]
            answer = {"jsonrpc": "2.0", "id": request["id"], "result": {"actions": actions}}
        print(json.dumps(answer), flush=True)
    """

func workerDefinition(_ program: String, extra: String = "") throws -> Definition {
    try programDefinition("worker", program, extra: extra)
}

@Suite("worker executors (a real long-lived process)")
struct WorkerTests {
    @Test("started lazily, one process serves every message, actions applied", .timeLimit(.minutes(3)))
    func reuse() async throws {
        let scripts = try Scripts()
        let instance = WorkflowInstance(name: "w", workflow: try workerDefinition(try scripts.add("worker.py", pythonWorker)).workflow)
        let first = try await instance.run("a")
        let second = try await instance.run("b")
        let pid = try #require(first.outputs.first?["pid"]?.intValue)
        #expect(second.outputs.first?["pid"]?.intValue == pid)
        #expect(second.outputs.first?["echo"] == "b")
        #expect(await instance.sharedState["calls"] == 2)
        await instance.shutdown()
        #expect(processIsGone(Int32(pid)), "the worker survived shutdown")
    }

    @Test("an error answer fails the executor with the worker's message")
    func errorAnswer() async throws {
        let scripts = try Scripts()
        let instance = WorkflowInstance(name: "w", workflow: try workerDefinition(try scripts.add("worker.py", pythonWorker)).workflow)
        let result = try await instance.run("error")
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("the worker answered with an error: cannot do that") == true)
        #expect(try await instance.run("fine").status == .idle)  // the worker is still there
        await instance.shutdown()
    }

    @Test("a worker that dies fails the message in flight; the next message starts a new one", .timeLimit(.minutes(3)))
    func restart() async throws {
        let scripts = try Scripts()
        let instance = WorkflowInstance(name: "w", workflow: try workerDefinition(try scripts.add("worker.py", pythonWorker)).workflow)
        let before = try #require(try await instance.run("x").outputs.first?["pid"]?.intValue)
        let died = try await instance.run("die")
        #expect(died.status == .failed)
        #expect(died.error?.message.contains("the worker stopped before answering; it exited (exited(7))") == true)
        let after = try #require(try await instance.run("y").outputs.first?["pid"]?.intValue)
        #expect(after != before)
        await instance.shutdown()
    }

    @Test("retries ride over a dying worker", .timeLimit(.minutes(3)))
    func retriesOverDeath() async throws {
        let scripts = try Scripts()
        let marker = scripts.directory.appendingPathComponent("died").path
        let once = try scripts.add("once.py", """
            #!/usr/bin/env python3
            import json, os, sys
            for line in sys.stdin:
                request = json.loads(line)
                if not os.path.exists('\(marker)'):
                    open('\(marker)', 'w').close()
                    os._exit(1)
                print(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": {"actions": [{"output": "second life"}]}}), flush=True)
            """)
        let definition = try Definition.parse("""
            name: w
            start: work
            executors:
              work: { kind: worker, command: [\(once)], retries: 1, backoff: 1ms }
            """, file: "w.yaml")
        let instance = WorkflowInstance(name: "w", workflow: definition.workflow)
        #expect(try await instance.run(nil).outputs == ["second life"])
        await instance.shutdown()
    }

    @Test("a reset stops the worker; the next message starts a fresh one", .timeLimit(.minutes(3)))
    func resetStops() async throws {
        let scripts = try Scripts()
        let instance = WorkflowInstance(name: "w", workflow: try workerDefinition(try scripts.add("worker.py", pythonWorker)).workflow)
        let pid = try #require(try await instance.run("a").outputs.first?["pid"]?.intValue)
        try await instance.reset()
        #expect(processIsGone(Int32(pid)), "the worker survived the reset")
        let next = try #require(try await instance.run("b").outputs.first?["pid"]?.intValue)
        #expect(next != pid)
        await instance.shutdown()
    }

    @Test("a worker that does not answer in time is restarted and the message fails", .timeLimit(.minutes(3)))
    func timeout() async throws {
        let scripts = try Scripts()
        let silent = try scripts.add("silent.sh", "#!/bin/sh\nexec sleep 1000\n")
        let instance = WorkflowInstance(name: "w", workflow: try workerDefinition(silent, extra: ", timeout: 200ms").workflow)
        let result = try await instance.run(nil)
        #expect(result.error?.message.contains("the worker did not answer within 200ms (it was restarted)") == true)
        await instance.shutdown()
    }

    @Test("the protocol document's shell worker and shell exec program work as written", .timeLimit(.minutes(3)))
    func documentedPrograms() async throws {
        let document = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Contrib/docs/executor-protocol.md").standardized.path, encoding: .utf8)
        let blocks = document.components(separatedBy: "```sh\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let scripts = try Scripts()
        let worker = try #require(blocks.first { $0.contains("while IFS= read") })
        let instance = WorkflowInstance(name: "w", workflow: try workerDefinition(try scripts.add("doc-worker.sh", worker)).workflow)
        #expect(try await instance.run(["id": 99, "text": "an id inside the message"]).outputs == [1])
        #expect(try await instance.run("second").outputs == [2])
        await instance.shutdown()
        let exec = try #require(blocks.first { $0.contains("\ncat\n") })
        let echo = WorkflowInstance(name: "e", workflow: try execDefinition(try scripts.add("doc-exec.sh", exec)).workflow)
        #expect(try await echo.run("hi").outputs.first?["message"] == "hi")
    }
}
