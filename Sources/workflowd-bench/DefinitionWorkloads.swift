#if canImport(Glibc)
import Glibc
#endif
import WorkflowDefinitions
import WorkflowEngine

/// Definition-driven workloads: `exec_message` runs one process per message (`/bin/cat`, which
/// echoes the input document back as the value it sends on); `worker_message` sends each message
/// to one long-lived worker (a small Python loop, started once).
enum DefinitionWorkloads {
    /// The same worker inside a sub-workflow (`kind: workflow`): µs per message through the
    /// parent. The child and its worker live as long as the parent keeps them.
    static func subworkflowWorkerMessage() async throws -> Report {
        try await workerMessage(nested: true)
    }

    static func workerMessage() async throws -> Report {
        try await workerMessage(nested: false)
    }

    static func workerMessage(nested: Bool) async throws -> Report {
        var template = Array("/tmp/workflowd-bench-worker-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        let script = directory + "/worker.py"
        // Answers every call with one output action (Python starts once; each message is a line each way).
        let body = """
            #!/usr/bin/env python3
            import json, sys
            for line in sys.stdin:
                request = json.loads(line)
                answer = {"jsonrpc": "2.0", "id": request["id"], "result": {"actions": [{"output": request["id"]}]}}
                sys.stdout.write(json.dumps(answer) + "\\n")
                sys.stdout.flush()
            """
        let file = fopen(script, "w")
        fputs(body, file)
        fclose(file)
        chmod(script, 0o755)
        defer {
            unlink(script)
            rmdir(directory)
        }
        let definition = try Definition.parse("""
            name: worker-bench
            start: work
            executors:
              work: { kind: worker, command: [\(script)] }
            """, file: "worker-bench.yaml")
        let parent = try Definition.parse("""
            name: worker-parent
            start: sub
            executors:
              sub: { kind: workflow, definition: worker-bench }
              done: { kind: output }
            edges:
              - { from: sub, to: done }
            """, file: "worker-parent.yaml", definitions: ["worker-bench": definition])
        let instance = WorkflowInstance(name: "worker-bench", workflow: nested ? parent.workflow : definition.workflow)
        _ = try await instance.run(0)
        var samples: [Double] = []
        let perRep = 200
        for _ in 0..<7 {
            let start = nowMicros()
            for n in 0..<perRep {
                let result = try await instance.run(.number(Double(n)))
                precondition(result.outputs.count == 1, "worker_message produced \(result.outputs) \(String(describing: result.error))")
            }
            samples.append((nowMicros() - start) / Double(perRep))
        }
        await instance.shutdown()
        return Report(unit: "message", samples: samples)
    }

    static func execMessage() async throws -> Report {
        let definition = try Definition.parse("""
            name: exec-bench
            start: run
            executors:
              run: { kind: exec, command: [/bin/cat] }
              out: { kind: output }
            edges:
              - { from: run, to: out }
            """, file: "exec-bench.yaml")
        let instance = WorkflowInstance(name: "exec-bench", workflow: definition.workflow)
        _ = try await instance.run(1)
        var samples: [Double] = []
        let perRep = 40
        for _ in 0..<7 {
            let start = nowMicros()
            for n in 0..<perRep {
                let result = try await instance.run(.number(Double(n)))
                precondition(result.outputs.first?["message"] == .number(Double(n)), "exec_message produced \(result.outputs)")
            }
            samples.append((nowMicros() - start) / Double(perRep))
        }
        return Report(unit: "message", samples: samples)
    }
}
