import Foundation
import Testing
import WorkflowDefinitions
import WorkflowEngine

/// A definition with one program executor (`kind` is exec or worker) and an output after it.
func programDefinition(_ kind: String, _ program: String, extra: String = "") throws -> Definition {
    try Definition.parse("""
        name: \(kind)-test
        start: run
        executors:
          run: { kind: \(kind), command: [\(program)]\(extra) }
          b: { kind: output }
        edges:
          - { from: run, to: b }
        """, file: "\(kind)-test.yaml")
}

func execDefinition(_ program: String, extra: String = "") throws -> Definition {
    try programDefinition("exec", program, extra: extra)
}

/// Whether a process is gone (or a zombie nobody has reaped yet, which runs nothing).
func processIsGone(_ pid: Int32) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
    return status.contains("State:\tZ")
}

/// Reads a FIFO to its end on a thread of its own (opening it blocks until the writer comes).
func readFIFO(_ path: String) async -> String {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            var bytes: [UInt8] = []
            let descriptor = open(path, O_RDONLY)  // blocks until the writer opens it
            if descriptor >= 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count <= 0 { break }
                    bytes += buffer[0..<count]
                }
                close(descriptor)
            }
            continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
        }
    }
}

@Suite("exec executors (real processes)")
struct ExecTests {
    @Test("stdin gets the document; one JSON value on stdout is sent on")
    func document() async throws {
        let scripts = try Scripts()
        let echo = try scripts.add("echo.py", """
            #!/usr/bin/env python3
            import json, sys
            doc = json.load(sys.stdin)
            print(json.dumps({"got": doc["message"], "keys": sorted(doc.keys()), "executor": doc["executor"], "superstep": doc["superstep"]}))
            """)
        let definition = try execDefinition(echo)
        let instance = WorkflowInstance(name: "e", workflow: definition.workflow)
        let result = try await instance.run(["hello": "world"])
        #expect(result.outputs == [["got": ["hello": "world"], "keys": ["attempt", "executor", "instance", "message", "runId", "state", "superstep"],
                                    "executor": "run", "superstep": 1]])
    }

    @Test("JSON lines of actions: send (to a target), output, setState, event")
    func actions() async throws {
        let scripts = try Scripts()
        let actor = try scripts.add("actions.sh", """
            #!/bin/sh
            cat > /dev/null
            echo '{"setState": {"seen": true}}'
            echo '{"event": "progress", "data": 50}'
            echo '{"send": {"n": 1}, "to": "b"}'
            echo '{"output": "direct"}'
            """)
        let definition = try execDefinition(actor)
        let instance = WorkflowInstance(name: "e", workflow: definition.workflow)
        let handle = try await instance.start(nil)
        var custom: [String] = []
        for try await event in handle.events {
            if case .custom(_, let name, let data) = event.body { custom.append("\(name)=\(data)") }
        }
        let result = try await handle.result()
        #expect(Set(result.outputs) == ["direct", ["n": 1]])
        #expect(custom == ["progress=50"])
        #expect(await instance.sharedState == ["seen": true])
    }

    @Test("a failing program fails the executor with its exit status and the tail of stderr")
    func failure() async throws {
        let scripts = try Scripts()
        let failing = try scripts.add("fail.sh", "#!/bin/sh\necho 'something broke' >&2\nexit 3\n")
        let result = try await WorkflowInstance(name: "e", workflow: try execDefinition(failing).workflow).run(nil)
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("exited with status 3; stderr: something broke") == true, "\(String(describing: result.error))")
        let malformed = try scripts.add("bad.sh", "#!/bin/sh\necho 'this is not JSON'\n")
        let bad = try await WorkflowInstance(name: "e", workflow: try execDefinition(malformed).workflow).run(nil)
        #expect(bad.error?.message.contains("printed malformed output") == true)
        #expect(bad.error?.message.contains("the output began: this is not JSON") == true)
    }

    @Test("a timeout terminates the program's process group and fails the executor", .timeLimit(.minutes(3)))
    func timeout() async throws {
        let scripts = try Scripts()
        let slow = try scripts.add("slow.sh", "#!/bin/sh\nexec sleep 30\n")
        let result = try await WorkflowInstance(name: "e", workflow: try execDefinition(slow, extra: ", timeout: 300ms").workflow).run(nil)
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("timed out after 300ms") == true)
    }

    @Test("failed attempts are retried with backoff, each announced in a warning")
    func retries() async throws {
        let scripts = try Scripts()
        let marker = scripts.directory.appendingPathComponent("attempts").path
        let flaky = try scripts.add("flaky.sh", """
            #!/bin/sh
            cat > /dev/null
            echo x >> '\(marker)'
            if [ "$(wc -l < '\(marker)')" -lt 3 ]; then echo 'not yet' >&2; exit 1; fi
            echo '{"ok": true}'
            """)
        let instance = WorkflowInstance(name: "e", workflow: try execDefinition(flaky, extra: ", retries: 2, backoff: 10ms").workflow)
        let handle = try await instance.start(nil)
        var warnings: [String] = []
        for try await event in handle.events {
            if case .warning(_, let reason, _) = event.body { warnings.append(reason) }
        }
        #expect(try await handle.result().outputs == [["ok": true]])
        #expect(warnings.count == 2)
        #expect(warnings.first?.contains("not yet") == true)
        let giveUp = try scripts.add("never.sh", "#!/bin/sh\nexit 1\n")
        let failed = try await WorkflowInstance(name: "e", workflow: try execDefinition(giveUp, extra: ", retries: 1, backoff: 1ms").workflow).run(nil)
        #expect(failed.error?.message.contains("(after 2 attempts): exited with status 1") == true)
    }

    @Test("cancelling a run kills the program's whole process group; nothing is left behind", .timeLimit(.minutes(3)))
    func cancelKillsTheGroup() async throws {
        let scripts = try Scripts()
        let fifo = scripts.directory.appendingPathComponent("pids").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let spawner = try scripts.add("spawner.sh", """
            #!/bin/sh
            sleep 1000 &
            { echo $!; echo $$; } > '\(fifo)'
            wait
            """)
        let instance = WorkflowInstance(name: "e", workflow: try execDefinition(spawner).workflow)
        let handle = try await instance.start(nil)
        let pids = await readFIFO(fifo).split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == 2)
        #expect(pids.allSatisfy { !processIsGone($0) })
        #expect(await instance.cancel())
        #expect(try await handle.result().status == .cancelled)
        for pid in pids { #expect(processIsGone(pid), "process \(pid) survived the cancel") }
    }

    @Test("what a program leaves running in its group is killed when it exits", .timeLimit(.minutes(3)))
    func leftoversAreKilled() async throws {
        let scripts = try Scripts()
        let fifo = scripts.directory.appendingPathComponent("pid").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let leaver = try scripts.add("leaver.sh", """
            #!/bin/sh
            cat > /dev/null
            sleep 1000 > /dev/null 2>&1 &
            echo $! > '\(fifo)'
            echo '{"left": "a child"}'
            """)
        let instance = WorkflowInstance(name: "e", workflow: try execDefinition(leaver).workflow)
        let handle = try await instance.start(nil)
        let pid = try #require(Int32(await readFIFO(fifo).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await handle.result().outputs == [["left": "a child"]])
        #expect(processIsGone(pid), "the background child \(pid) survived its program")
    }
}
