import DaemonTestSupport
import Foundation
import Testing
import WorkflowClient
import WorkflowJSON
import WorkflowProtocol

/// `WorkflowClient` against the real daemon: typed calls and errors, many calls over one
/// connection, and event streams that survive a daemon crash and restart without losing or
/// repeating an event.
@Suite("WorkflowClient")
struct WorkflowClientTests {
    @Test("typed calls, typed errors with the JSON-RPC code and data, 100 concurrent calls over one connection")
    func calls() async throws {
        let daemon = try await DaemonProcess.started()
        let client = WorkflowClient(socketPath: daemon.socket)
        #expect(try await client.ping().pong)
        let run = try await client.startRun(on: "e", input: ["x": 1], definition: "echo", wait: true)
        #expect(run.status == .idle)
        #expect(run.outputs == [["x": 1]])

        do {
            _ = try await client.instance("missing")
            Issue.record("instance.get of a missing instance succeeded")
        } catch let error as WorkflowClientError {
            #expect(error.code == .rpc)
            #expect(error.rpcCode == .instanceNotFound)
            #expect(error.rpc?.data?["instance"] == "missing")
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask {
                    if index.isMultiple(of: 2) {
                        let info = try await client.instance("e")
                        #expect(info.name == "e")
                    } else {
                        let result = try await client.startRun(on: "e\(index)", input: .number(Double(index)), definition: "echo", wait: true)
                        #expect(result.outputs == [.number(Double(index))])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await client.instances(limit: 1000).instances.count == 51)
        await client.close()
        // A later call opens a new connection.
        #expect(try await client.status().instancesStored == 51)
    }

    @Test("a cancelled call ends with CancellationError at once; the run and the connection go on")
    func cancelledCall() async throws {
        let daemon = try await DaemonProcess.started()
        let client = WorkflowClient(socketPath: daemon.socket)
        let run = try await client.startRun(on: "f", definition: "forever")
        let waiting = Task { try await client.waitForRun(on: "f") }
        waiting.cancel()
        do {
            let result = try await waiting.value
            Issue.record("a cancelled run.wait answered \(result.status)")
        } catch is CancellationError {
        } catch {
            Issue.record("a cancelled call threw \(error), not CancellationError")
        }
        #expect(try await client.ping().pong)
        #expect(try await client.instance("f").activeRunId == run.runId, "the run is not affected")
        #expect(try await client.cancelRun(on: "f").cancelled)
    }

    @Test("a daemon that is not there: unreachable, naming the socket")
    func unreachable() async throws {
        let client = WorkflowClient(socketPath: "/tmp/no-workflowd-here-\(UInt32.random(in: 0...UInt32.max)).sock")
        do {
            _ = try await client.ping()
            Issue.record("a ping without a daemon succeeded")
        } catch let error as WorkflowClientError {
            #expect(error.code == .unreachable)
            #expect(error.message.contains("no-workflowd-here"))
        }
    }

    @Test("an event stream survives kill -9 and a restart: every event of the log once, in order")
    func streamSurvivesCrash() async throws {
        let daemon = try await DaemonProcess.started()
        let client = WorkflowClient(configuration: .init(socketPath: daemon.socket, reconnectTimeout: .seconds(60)))
        // The run counts, then waits on a gate opened only after the restart: the crash surely
        // comes mid-run, however fast the daemon and slow the reader.
        _ = try await client.createInstance("c", definition: "countgated")
        let gate = daemon.gate("c")
        let run = try await client.startRun(on: "c", input: ["n": 0, "to": 2000, "gate": .string(gate)])
        let (progress, reached) = AsyncStream.makeStream(of: Void.self)
        let seen = try await withThrowingTaskGroup(of: [UInt64]?.self) { group in
            // The reader: the whole run, through the crash.
            group.addTask {
                var seen: [UInt64] = []
                for try await event in client.events(of: "c", after: 0) {
                    seen.append(event.seq)
                    if seen.count == 60 { reached.yield() }
                    if event.type == "status", event["status"] == "idle" || event["status"] == "failed" { break }
                }
                reached.finish()
                return seen
            }
            // The crash, while the reader reads; the daemon comes back while the stream retries.
            group.addTask {
                for await _ in progress { break }
                await daemon.kill9()
                try await daemon.start()
                try daemon.open(gate)
                return nil
            }
            var seen: [UInt64] = []
            for try await result in group { if let result { seen = result } }
            return seen
        }
        let log = try await Self.wholeLog(client, "c")
        #expect(Self.difference(seen, log) == nil, "the stream delivered exactly the log")
        let runs = try await client.runs(of: "c")
        #expect(runs.first?.runId == run.runId && runs.first?.status == .idle, "the run resumed after the crash and finished")
        var recovered = false
        var after: UInt64 = 0
        while !recovered {
            let page = try await client.readEvents(of: "c", after: after, limit: 1000)
            recovered = page.events.contains { $0["type"] == "run_recovered" }
            if page.events.count < 1000 { break }
            after = page.lastSeq
        }
        #expect(recovered, "the crash came mid-run")
    }

    @Test("an event stream resumes after a graceful restart (events.closed) and after its own buffer overflows")
    func streamResumes() async throws {
        let daemon = try await DaemonProcess.started()
        let client = WorkflowClient(configuration: .init(socketPath: daemon.socket, subscriptionBuffer: 8))
        _ = try await client.createInstance("c", definition: "count")
        var iterator = client.events(of: "c", after: 0).makeAsyncIterator()
        _ = try await client.startRun(on: "c", input: ["n": 0, "to": 50], wait: true)
        // Nothing was read yet: the first next() subscribes and replays; read a little, then let
        // a long run overflow the 8-event buffer while this reader is not reading.
        var seen: [UInt64] = []
        for _ in 0..<5 { seen.append(try #require(try await iterator.next()).seq) }
        _ = try await client.startRun(on: "c", input: ["n": 0, "to": 300], wait: true)
        let other = WorkflowClient(socketPath: daemon.socket)
        let stopped = await daemon.stop()
        #expect(stopped == 0, "\(daemon.log.suffix(6000))")
        try await daemon.start()
        _ = try await other.startRun(on: "c", input: ["n": 0, "to": 3], wait: true)
        var idles = 0
        while idles < 3, let event = try await iterator.next() {
            seen.append(event.seq)
            if event.type == "status", event["status"] == "idle" { idles += 1 }
        }
        let log = try await Self.wholeLog(client, "c")
        #expect(Self.difference(seen, log) == nil, "the stream delivered exactly the log")
        #expect(iterator.resubscriptions >= 2, "once after its buffer overflowed, once after the restart")
    }

    @Test("socket resolution: explicit, WORKFLOWD_SOCKET, the user's, the system's, the Quick start's")
    func socketLocator() {
        let exists: @Sendable (String) -> Bool = { ["/run/user/1000/workflowd/workflowd.sock", "/home/u/project/.workflowd/workflowd.sock"].contains($0) }
        var locator = SocketLocator(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], workingDirectory: "/home/u/project/Sources", exists: exists)
        #expect(locator.path(explicit: "/x.sock") == "/x.sock")
        #expect(locator.path(explicit: nil) == "/run/user/1000/workflowd/workflowd.sock")
        locator.environment["WORKFLOWD_SOCKET"] = "/env.sock"
        #expect(locator.path(explicit: nil) == "/env.sock")
        locator.environment = [:]
        #expect(locator.path(explicit: nil) == "/home/u/project/.workflowd/workflowd.sock", "found from a subdirectory of the project")
        locator.workingDirectory = "/elsewhere"
        #expect(locator.path(explicit: nil) == SocketLocator.systemSocket)
        let order = SocketLocator(environment: ["WORKFLOWD_SOCKET": "/e", "XDG_RUNTIME_DIR": "/r"], workingDirectory: "/p", exists: { _ in false })
            .candidates(explicit: "/x").map(\.path)
        #expect(order == ["/x", "/e", "/r/workflowd/workflowd.sock", SocketLocator.systemSocket, "/p/.workflowd/workflowd.sock", "/.workflowd/workflowd.sock"])
    }

    /// Where a stream's seqs first differ from the log's (nil if they are the same), in a few words.
    static func difference(_ seen: [UInt64], _ log: [UInt64]) -> String? {
        guard seen != log else { return nil }
        let index = (0..<min(seen.count, log.count)).first { seen[$0] != log[$0] } ?? min(seen.count, log.count)
        let around = { (list: [UInt64]) in list[max(0, index - 2)..<min(list.count, index + 3)].map(String.init).joined(separator: ",") }
        return "\(seen.count) seen, \(log.count) in the log; first difference at #\(index): seen …\(around(seen))… log …\(around(log))…"
    }

    static func wholeLog(_ client: WorkflowClient, _ instance: String) async throws -> [UInt64] {
        var seqs: [UInt64] = []
        var after: UInt64 = 0
        while true {
            let page = try await client.readEvents(of: instance, after: after, limit: 1000)
            seqs += page.events.compactMap { $0["seq"]?.doubleValue.map { UInt64($0) } }
            if page.events.count < 1000 { return seqs }
            after = page.lastSeq
        }
    }
}
