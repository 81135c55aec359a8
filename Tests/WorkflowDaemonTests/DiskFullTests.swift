import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore
import WorkflowTestSupport

/// The state directory on a small tmpfs of its own (the test mounts it: root only). SQLite's disk
/// only: on PostgreSQL the disk is the server's.
@Suite("Daemon: a full disk", .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") && !DaemonProcess.storesInPostgres))
struct DiskFullTests {
    @Test("writes fail with an error that names the full disk; reads go on; the database stays valid; with room again, writes succeed", .timeLimit(.minutes(2)))
    func diskFull() async throws {
        let daemon = try DaemonProcess(definitions: TestDefinitions.all)
        try FileManager.default.createDirectory(atPath: daemon.state, withIntermediateDirectories: true)
        let mounted = try await Shell.run(["/bin/mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", daemon.state])
        try #require(mounted == 0, "mount tmpfs failed")
        defer { _ = try? Shell.runBlocking(["/bin/umount", "-l", daemon.state]) }
        try await daemon.start()
        let client = try await daemon.client()
        _ = try await client.result("run.start", ["instance": "keep", "definition": "ask", "input": "precious", "wait": true])
        // Instances that exist before the disk fills: their runs fail in the engine's commit.
        for n in 0..<3 { _ = try await client.result("instance.create", ["name": .string("full-\(n)"), "definition": "echo"]) }
        // Fill what is left of the disk.
        let filler = daemon.state + "/filler"
        _ = try await Shell.run(["/bin/sh", "-c", "dd if=/dev/zero of=\(filler) bs=64k 2>/dev/null; sync"])
        let big = JSON.string(String(repeating: "x", count: 300_000))
        var refusals: [String] = []
        var codes: [RPCError.Code] = []
        // Three runs on those (with and without waiting), two that must create their instance first.
        for n in 0..<5 {
            var params: JSONObject = ["instance": .string("full-\(n)"), "input": big, "wait": .bool(n != 1)]
            if n >= 3 { params["definition"] = "echo" }
            switch try await client.call("run.start", .object(params)) {
            case .success(let run):
                if run["status"] == "failed" { refusals.append(run["error"]?["message"]?.stringValue ?? "") }
            case .failure(let error):
                refusals.append(error.message + " " + (error.data?.serialized() ?? ""))
                codes.append(error.code)
            }
        }
        #expect(refusals.count == 5, "not every write was refused on a full disk: \(refusals)")
        // A refused request says the store failed (its own code, not an internal error).
        #expect(!codes.isEmpty && codes.allSatisfy { $0 == .storeFailed }, "\(codes)")
        for refusal in refusals {
            #expect(refusal.lowercased().contains("full"), "the error does not say the disk is full: \(refusal)")
        }
        // wfctl says the store failed with its own exit status (74, EX_IOERR), not "another error".
        let input = FileManager.default.temporaryDirectory.path + "/wfd-full-input-\(getpid()).json"
        try big.serialized().write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let refused = try await Wfctl(socket: daemon.socket).run(["run", "full-wfctl", "--definition", "echo", "--input", "@" + input])
        #expect(refused.status == 74, "\(refused)")
        // Reads still answer, and what was accepted before is there.
        #expect(try await client.result("daemon.ping")["pong"] == true)
        #expect(try await client.result("request.list", ["instance": "keep"])["requests"]?.arrayValue?.count == 1)
        #expect(try await client.result("instance.get", ["instance": "keep"])["status"] == "idle_with_pending_requests")
        // Room again: writes succeed.
        try FileManager.default.removeItem(atPath: filler)
        let after = try await client.result("run.start", ["instance": "after", "definition": "echo", "input": 3, "wait": true])
        #expect(after["outputs"] == [3])
        #expect(await daemon.stop() == 0)
        // The database is intact.
        let store = try SQLiteStore(path: daemon.state + "/workflowd.sqlite")
        #expect(try await store.integrityProblems().isEmpty)
        #expect(try await store.instance(named: "keep") != nil)
    }
}
