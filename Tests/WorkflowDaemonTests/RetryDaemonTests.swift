import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowTestSupport

/// Retry policies over the socket, with a real program and real (short) durations.
@Suite("Daemon: retries")
struct RetryDaemonTests {
    @Test("an exec step that exits 75 twice is retried by its policy: delays over a second are durable waits (the run ends waiting, the daemon fires them), executor_retrying says each try, the third try's output lands")
    func execRetries() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        let counter = daemon.directory + "/tries"
        try daemon.writeDefinition("retrying.yaml", """
            name: retrying
            start: call
            executors:
              call:
                kind: exec
                command: [/bin/sh, -c, 'n=$(cat \(counter) 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(counter); [ $n -ge 3 ] || exit 75; echo "{\\"output\\": $n}"']
                retry: { attempts: 4, backoff: 1500ms, factor: 1, on: [exit:75] }
            """)
        _ = try await client.result("daemon.reload")
        _ = try await client.result("instance.create", ["name": "c", "definition": "retrying"])
        _ = try await client.result("events.subscribe", ["instance": "c", "afterSeq": 0])
        let first = try await client.result("run.start", ["instance": "c", "input": 1, "wait": true])
        #expect(first["status"] == "waiting", "the retry after 1.5 s is a durable wait: \(first)")
        let events = try await client.events(until: { $0["type"] == "output" }, timeout: .seconds(120))
        let retrying = events.filter { $0["type"] == "executor_retrying" }
        #expect(retrying.map { $0["attempt"] } == [1, 2])
        #expect(retrying.allSatisfy { $0["durable"] == true && $0["delayMs"] == 1500 && $0["attempts"] == 4 })
        #expect(retrying.first?["error"]?.stringValue?.contains("exited with status 75") == true)
        #expect(events.filter { $0["type"] == "timer_fired" }.count == 2)
        #expect(events.last { $0["type"] == "output" }?["value"] == 3)
        #expect(!events.contains { $0["type"] == "executor_failed" })

        // A failure the policy does not list fails the run at once.
        try daemon.writeDefinition("retrying.yaml", """
            name: retrying
            start: call
            executors:
              call: { kind: exec, command: [/bin/sh, -c, 'exit 3'], retry: { attempts: 4, backoff: 10ms, on: [exit:75] } }
            """)
        _ = try await client.result("daemon.reload")
        let failed = try await client.result("run.start", ["instance": "d", "definition": "retrying", "input": 1, "wait": true])
        #expect(failed["status"] == "failed")
        #expect(failed["error"]?["details"]?["failure"] == "exit:3")
    }
}
