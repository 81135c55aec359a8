import Foundation
import Testing
import WorkflowTestSupport
import WorkflowDefinitions
import WorkflowEngine

/// Child programs that misbehave cannot hold a cancel, fill memory, or be killed by how much they
/// log: a worker that never answers is stopped within its grace period; only a bounded tail of
/// stderr is kept; an endless stdout fails the step with a clear error.
@Suite("Programs that misbehave (exec and worker)")
struct ProgramLimitsTests {
    @Test("cancel returns within the grace period even when a worker never answers (and ignores TERM)", .timeLimit(.minutes(3)))
    func cancelAStuckWorker() async throws {
        let scripts = try Scripts()
        let fifo = scripts.directory.appendingPathComponent("got").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let stuck = try scripts.add("stuck.sh", """
            #!/bin/sh
            trap '' TERM
            read line
            echo "$$" > '\(fifo)'
            while true; do sleep 1; done
            """)
        let instance = WorkflowInstance(name: "w", workflow: try programDefinition("worker", stuck, extra: ", timeout: 10m, grace: 300ms").workflow)
        let handle = try await instance.start("hello")
        let pid = try #require(Int32(await readFIFO(fifo).trimmingCharacters(in: .whitespacesAndNewlines)))
        let clock = ContinuousClock()
        let started = clock.now
        #expect(await instance.cancel())
        let took = clock.now - started
        #expect(try await handle.result().status == .cancelled)
        // TERM is ignored: KILL after 300 ms, and far from the 10-minute timeout it would wait for
        // otherwise. Alone this takes 0.3 s; among the whole suite's tests, which share Swift's
        // two-thread cooperative pool, 5 s, and under ThreadSanitizer in CI it once took 21 s:
        // the bound tells "the grace" from "the timeout", not how busy the machine is.
        #expect(took < .seconds(90), "cancel took \(took)")
        #expect(processIsGone(pid), "the stuck worker \(pid) survived")
        await instance.shutdown()
    }

    @Test("a worker that writes megabytes to stderr keeps working; only the tail is kept", .timeLimit(.minutes(3)))
    func chattyWorker() async throws {
        let scripts = try Scripts()
        let chatty = try scripts.add("chatty.py", """
            #!/usr/bin/env python3
            import json, os, sys
            for line in sys.stdin:
                request = json.loads(line)
                sys.stderr.write("x" * (1 << 20) + "\\n")
                sys.stderr.flush()
                answer = {"jsonrpc": "2.0", "id": request["id"], "result": {"actions": [{"send": {"pid": os.getpid()}}]}}
                print(json.dumps(answer), flush=True)
            """)
        let instance = WorkflowInstance(name: "w", workflow: try workerDefinition(chatty).workflow)
        var pids: Set<Int> = []
        for n in 0..<4 {
            let result = try await instance.run(.number(Double(n)))
            #expect(result.status == .idle, "message \(n): \(String(describing: result.error))")
            if let pid = result.outputs.first?["pid"]?.intValue { pids.insert(pid) }
        }
        #expect(pids.count == 1, "the worker was restarted: \(pids)")
        await instance.shutdown()
    }

    @Test("an exec program may write megabytes to stderr; a failure shows its last lines", .timeLimit(.minutes(3)))
    func chattyExec() async throws {
        let scripts = try Scripts()
        let ok = try scripts.add("ok.sh", """
            #!/bin/sh
            cat > /dev/null
            head -c 3000000 /dev/zero | tr '\\0' 'y' >&2
            echo '{"fine": true}'
            """)
        let fine = try await WorkflowInstance(name: "e", workflow: try execDefinition(ok).workflow).run(nil)
        #expect(fine.outputs == [["fine": true]], "\(String(describing: fine.error))")
        let bad = try scripts.add("bad.sh", """
            #!/bin/sh
            cat > /dev/null
            head -c 3000000 /dev/zero | tr '\\0' 'y' >&2
            echo 'the last words' >&2
            exit 3
            """)
        let failed = try await WorkflowInstance(name: "e", workflow: try execDefinition(bad).workflow).run(nil)
        let message = try #require(failed.error?.message)
        #expect(message.contains("exited with status 3"))
        #expect(message.hasSuffix("the last words"))
        #expect(message.utf8.count < 4096)
    }

    @Test("an exec program that floods stdout fails the step with a clear error, and is stopped", .timeLimit(.minutes(3)))
    func floodingExec() async throws {
        let scripts = try Scripts()
        let pidFile = scripts.directory.appendingPathComponent("flood.pid").path
        // exec keeps the shell's pid: the one written is the flooding program's.
        let flood = try scripts.add("flood.sh", """
            #!/bin/sh
            echo "$$" > '\(pidFile)'
            cat > /dev/null
            exec cat /dev/zero
            """)
        let result = try await WorkflowInstance(name: "e", workflow: try execDefinition(flood).workflow).run(nil)
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("printed more than 16 MiB on stdout") == true)
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(processIsGone(pid), "the flooding program \(pid) still runs after its step failed")
    }
}
