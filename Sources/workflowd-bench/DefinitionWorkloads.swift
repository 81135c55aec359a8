import WorkflowDefinitions
import WorkflowEngine

/// Definition-driven workloads: `exec_message` runs one process per message (`/bin/cat`, which
/// echoes the input document back as the value it sends on).
enum DefinitionWorkloads {
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
