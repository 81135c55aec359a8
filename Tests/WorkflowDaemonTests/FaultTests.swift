import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore
import WorkflowTestSupport

/// Faults the daemon must ride out: clients that stall or send far too much, child programs that
/// hang, flood or die mid-write, a disk that fills up. After each it answers, keeps what it had
/// accepted and stops cleanly.
@Suite("Daemon: faults")
struct FaultTests {
    static let faulty: [String: String] = [
        "hang.yaml": "name: hang\nstart: nap\nexecutors:\n  nap: { kind: exec, command: [/bin/sh, -c, \"sleep 3600\"], timeout: 1s }\n",
        "flood.yaml": "name: flood\nstart: spew\nexecutors:\n  spew: { kind: exec, command: [/bin/sh, -c, \"yes 0123456789 | head -c 100000000\"], timeout: 60s }\n",
        "torn.yaml": "name: torn\nstart: half\nexecutors:\n  half: { kind: exec, command: [/bin/sh, -c, \"printf '{\\\"a\\\": [1, 2'; exit 0\"] }\n",
        "tornworker.yaml": """
            name: tornworker
            start: w
            executors:
              w: { kind: worker, command: [/bin/sh, -c, "read line; printf '{\\"jsonrpc\\": \\"2.0\\", \\"id\\": '; exit 0"] }
            """,
    ]

    static var definitions: [String: String] { TestDefinitions.all.merging(faulty) { $1 } }

    @Test("a client that sends half a line and stalls holds nobody up; the rest of its line is answered when it comes; a stop does not wait for it")
    func halfLine() async throws {
        let daemon = try await DaemonProcess.started()
        let staller = try await daemon.client()
        try await staller.send(raw: #"{"jsonrpc":"2.0","id":7,"method":"daemon.pi"#, newline: false)
        let other = try await daemon.client()
        let run = try await other.result("run.start", ["instance": "e", "definition": "echo", "input": 1, "wait": true])
        #expect(run["outputs"] == [1])
        try await staller.send(raw: #"ng"}"#)
        let answer = try #require(try await staller.next())
        #expect(answer["id"] == 7)
        #expect(answer["result"]?["pong"] == true)
        // Stalled again, mid-message: SIGTERM still ends the daemon, cleanly.
        try await staller.send(raw: #"{"jsonrpc":"2.0","id":8,"me"#, newline: false)
        #expect(await daemon.stop() == 0)
    }

    @Test("a 100 MB line is refused with -32013 once it passes the limit; the daemon never holds it (peak RSS) and serves the others")
    func hugeLine() async throws {
        let daemon = try await DaemonProcess.started()
        let bystander = try await daemon.client()
        _ = try await bystander.result("run.start", ["instance": "keep", "definition": "ask", "input": "precious", "wait": true])
        let peakBefore = ProcessMemory.peak(daemon.pid)
        let socketPath = daemon.socket
        let (sent, answer) = try await RawSocket.onThread { () -> Result<(Int, String?), any Error> in
            Result {
                let raw = try RawSocket(path: socketPath)
                let head = Array(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{"x":""#.utf8)
                let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 16)
                let outcome = raw.send(count: 100_000_000) { offset in offset == 0 ? head : filler }
                return (outcome.written, raw.readLine())
            }
        }.get()
        let refusal = try JSON(parsing: try #require(answer))
        #expect(refusal["error"]?["code"] == -32013)
        #expect(refusal["error"]?["data"]?["limit"] == "maxLineBytes")
        // It closed the connection long before 100 MB went in.
        #expect(sent < 100_000_000)
        let growth = ProcessMemory.peak(daemon.pid) - peakBefore
        if TestEnvironment.measuresMemory { #expect(growth < 48 * 1024, "peak RSS grew by \(growth) KiB") }
        #expect(try await bystander.result("daemon.ping")["pong"] == true)
        #expect(try await bystander.result("request.list", ["instance": "keep"])["requests"]?.arrayValue?.count == 1)
        #expect(await daemon.stop() == 0)
    }

    @Test("10,000 messages in one batch: refused as a whole past maxBatch, naming it; with the limit raised, every one is answered in one array")
    func bigBatch() async throws {
        let batch = "[" + (0..<10_000).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"daemon.ping"}"# }.joined(separator: ",") + "]"
        let strict = try await DaemonProcess.started()
        let client = try await strict.client()
        try await client.send(raw: batch)
        let refused = try #require(try await client.next())
        #expect(refused["error"]?["code"] == -32013)
        #expect(refused["error"]?["data"]?["limit"] == "maxBatch")
        #expect(try await client.result("daemon.ping")["pong"] == true)
        #expect(await strict.stop() == 0)

        let loose = try await DaemonProcess.started(arguments: ["--max-batch", "10000", "--max-line-bytes", "4194304"])
        let looseClient = try await loose.client()
        try await looseClient.send(raw: batch)
        let answers = try #require(try await looseClient.next(timeout: .seconds(120))?.arrayValue)
        #expect(answers.count == 10_000)
        #expect(Set(answers.compactMap { $0["id"]?.intValue }) == Set(0..<10_000))
        #expect(answers.allSatisfy { $0["result"]?["pong"] == true })
        #expect(await loose.stop() == 0)
    }

    @Test("connections that never read a busy instance's events are dropped from it; a reader that keeps up goes on without a gap; memory stays bounded",
          .timeLimit(.minutes(2)))
    func slowReaders() async throws {
        let busy = "name: busy\nstart: tick\nmaxSupersteps: 100000000\nexecutors:\n  tick: { kind: transform, expression: \"message\" }\nedges:\n  - { from: tick, to: tick }\n"
        let daemon = try await DaemonProcess.started(definitions: TestDefinitions.all.merging(["busy.yaml": busy]) { $1 },
                                                     arguments: ["--max-queued-bytes-total", "1048576"])
        let control = try await daemon.client()
        _ = try await control.result("instance.create", ["name": "busy", "definition": "busy"])
        let fast = try await daemon.client()
        _ = try await fast.result("events.subscribe", ["instance": "busy"])
        let socketPath = daemon.socket
        // 50 connections subscribe and never read again.
        let slow = try await RawSocket.onThread { () -> Result<[RawSocket], any Error> in
            Result {
                try (0..<50).map { _ in
                    let raw = try RawSocket(path: socketPath)
                    let line = Array(#"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"instance":"busy"}}"#.utf8) + [0x0A]
                    _ = raw.send(count: line.count) { _ in line }
                    return raw
                }
            }
        }.get()
        let before = ProcessMemory.resident(daemon.pid)
        _ = try await control.result("run.start", ["instance": "busy", "input": 0])
        // Every never-reading subscription ends (dropped as too slow); only the fast one is left.
        while true {
            let subscriptions = try await control.result("daemon.status")["subscriptions"]?.intValue ?? 0
            if subscriptions <= 1 { break }
            try await daemon.waitForLog("too slow", count: 51 - subscriptions + 1, timeout: .seconds(60))
        }
        // The reader meanwhile got every event, in order. (A test process on a loaded machine may
        // stall for longer than the daemon allows while over its budget: then it is told, and
        // resumes after the last event it got, as WorkflowClient does. Nothing is missed.)
        var seqs: [Int] = []
        var resumed = 0
        while (seqs.last ?? 0) < 3_000 {
            guard let message = try await fast.next(timeout: .seconds(60)) else { break }
            if message["method"] == "events.overflow" {
                resumed += 1
                _ = try await fast.result("events.subscribe", ["instance": "busy", "afterSeq": .number(Double(seqs.last ?? 0))])
            } else if message["method"] == "events.event", let seq = message["params"]?["event"]?["seq"]?.intValue {
                seqs.append(seq)
            }
        }
        #expect(seqs == Array((seqs.first ?? 1)...(seqs.last ?? 0)), "the reader's events have a gap or a repeat")
        #expect(resumed < 20, "the reader was dropped \(resumed) times")
        let growth = ProcessMemory.resident(daemon.pid) - before
        if TestEnvironment.measuresMemory { #expect(growth < 96 * 1024, "RSS grew by \(growth) KiB with 50 stalled connections") }
        _ = try await control.result("run.cancel", ["instance": "busy"])
        withExtendedLifetime(slow) {}
        #expect(await daemon.stop() == 0)
    }

    @Test("an instance deleted and created again under its name (its seqs start again) streams its own events, not the old ones'")
    func recreatedInstanceEvents() async throws {
        let daemon = try await DaemonProcess.started()
        let client = try await daemon.client()
        for input in ["first", "second"] {
            _ = try await client.result("instance.create", ["name": "again", "definition": "echo"])
            let listener = try await daemon.client()
            _ = try await listener.result("events.subscribe", ["instance": "again"])
            _ = try await client.result("run.start", ["instance": "again", "input": .string(input), "wait": true])
            let started = try await listener.events(until: { $0["type"] == "run_started" })
            #expect(started.last?["input"] == .string(input), "\(started.last ?? .null)")
            _ = try await client.result("instance.delete", ["instance": "again", "cancel": true])
        }
        #expect(await daemon.stop() == 0)
    }

    @Test("child programs that hang, flood stdout, or die mid-write fail their step with an error that says so; the daemon goes on", .timeLimit(.minutes(2)))
    func badChildren() async throws {
        let daemon = try await DaemonProcess.started(definitions: Self.definitions)
        let client = try await daemon.client()
        let pid = daemon.pid
        let before = ProcessMemory.resident(pid)

        let hang = try await client.result("run.start", ["instance": "hang", "definition": "hang", "input": 1, "wait": true])
        #expect(hang["status"] == "failed")
        #expect(hang["error"]?["message"]?.stringValue?.contains("timed out") == true, "\(hang)")

        let flood = try await client.result("run.start", ["instance": "flood", "definition": "flood", "input": 1, "wait": true])
        #expect(flood["status"] == "failed")
        #expect(flood["error"]?["message"]?.stringValue?.contains("stdout") == true, "\(flood)")
        // Bounded: it kept at most its stdout limit (16 MiB), not the 100 MB the program wrote.
        if TestEnvironment.measuresMemory { #expect(ProcessMemory.resident(pid) - before < 64 * 1024) }

        let torn = try await client.result("run.start", ["instance": "torn", "definition": "torn", "input": 1, "wait": true])
        #expect(torn["status"] == "failed")
        #expect(torn["error"]?["message"]?.stringValue?.contains("JSON") == true, "\(torn)")

        let tornWorker = try await client.result("run.start", ["instance": "tw", "definition": "tornworker", "input": 1, "wait": true])
        #expect(tornWorker["status"] == "failed")
        #expect(tornWorker["error"]?["message"]?.stringValue?.isEmpty == false, "\(tornWorker)")

        // The instances are usable again: a failed step leaves an idle instance, not a stuck one.
        let again = try await client.result("instance.get", ["instance": "hang"])
        #expect(again["status"] == "failed")
        #expect(try await client.result("run.start", ["instance": "e", "definition": "echo", "input": 2, "wait": true])["outputs"] == [2])
        #expect(await daemon.stop() == 0)
    }
}

