import DaemonTestSupport
import Foundation
import Testing
import WorkflowJSON

/// The shipped units, checked as CI checks them (systemd-analyze verify with ExecStart= pointed
/// at the built binaries, failing on any output; the exposure score at most 1.5), the install
/// script into a temporary root, and structured logging into a journal socket.
@Suite("systemd units, install, journal")
struct SystemdUnitsTests {
    static let repository = SystemdTests.repository

    /// The units with the binaries' paths pointed at the build.
    static func units(_ directory: String, user: Bool) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let daemon = try DaemonProcess.binary()
        let wfctl = try Wfctl.binary()
        return try (["workflowd.socket", "workflowd.service"] + (user ? [] : ["workflowd-metrics.socket"])).map { name in
            let source = repository.appendingPathComponent("systemd/" + (user ? "user/" : "") + name)
            let text = try String(contentsOf: source, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/workflowd", with: daemon)
                .replacingOccurrences(of: "/usr/local/bin/wfctl", with: wfctl)
            let path = directory + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    static func temporary(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UInt64.random(in: 0...UInt64.max))").path
    }

    @Test("systemd-analyze verify: the system and user units load with nothing to say")
    func verify() async throws {
        let directory = Self.temporary("units")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let system = try Self.units(directory + "/system", user: false)
        var outcome = try await Wfctl.spawn("/usr/bin/systemd-analyze", ["verify", "--man=no"] + system)
        #expect(outcome.status == 0 && outcome.stderr.isEmpty && outcome.stdout.isEmpty, "\(outcome)")
        let runtime = directory + "/runtime"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let user = try Self.units(directory + "/user", user: true)
        outcome = try await Wfctl.spawn("/usr/bin/systemd-analyze", ["verify", "--user", "--man=no"] + user, environment: ["XDG_RUNTIME_DIR": runtime])
        #expect(outcome.status == 0 && outcome.stderr.isEmpty && outcome.stdout.isEmpty, "\(outcome)")
        // A misspelt key is only a warning to systemd (rc 0): the check must see it.
        let broken = directory + "/system/workflowd.service"
        try (try String(contentsOfFile: broken, encoding: .utf8)).replacingOccurrences(of: "ProtectSystem=", with: "ProtectSytem=")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        outcome = try await Wfctl.spawn("/usr/bin/systemd-analyze", ["verify", "--man=no"] + system)
        #expect(outcome.stderr.contains("ProtectSytem"), "\(outcome)")
    }

    @Test("systemd-analyze security: the service's exposure is at most 1.5")
    func security() async throws {
        let directory = Self.temporary("units")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service = try Self.units(directory, user: false)[1]
        let outcome = try await Wfctl.spawn("/usr/bin/systemd-analyze", ["security", "--offline=yes", "--man=no", "--threshold=15", service])
        #expect(outcome.status == 0, "\(outcome.stdout.suffix(400))")
        let line = try #require(outcome.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = Double(line.split(separator: ":").last?.split(separator: " ").first ?? "") ?? 99
        #expect(score <= 1.5, "\(line)")
    }

    /// The release binaries (`swift build -c release --static-swift-stdlib`, as Contrib/dev/test
    /// builds them before the tests).
    static func releaseBinaries() throws -> String {
        let directory = repository.appendingPathComponent(".build/release").path
        guard FileManager.default.isExecutableFile(atPath: directory + "/workflowd"), FileManager.default.isExecutableFile(atPath: directory + "/wfctl") else {
            throw DaemonProcess.Failure(description: "no release build in \(directory): run Contrib/dev/test (or swift build -c release --static-swift-stdlib)")
        }
        return directory
    }

    @Test("Contrib/install.sh into a temporary root: binaries, units pointed at the prefix, sysusers, man pages, completions, examples")
    func install() async throws {
        let root = Self.temporary("root")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let binaries = try Self.releaseBinaries()
        let script = Self.repository.appendingPathComponent("Contrib/install.sh").path
        var outcome = try await Wfctl.spawn(script, ["--root", root, "--prefix", "/usr", "--bin-dir", binaries])
        #expect(outcome.status == 0, "\(outcome)")
        for path in ["/usr/bin/workflowd", "/usr/bin/wfctl", "/usr/lib/systemd/system/workflowd.socket", "/usr/lib/systemd/system/workflowd.service",
                     "/usr/lib/systemd/system/workflowd-metrics.socket",
                     "/usr/lib/systemd/user/workflowd.socket", "/usr/lib/systemd/user/workflowd.service", "/usr/lib/sysusers.d/workflowd.conf",
                     "/usr/share/man/man1/wfctl.1", "/usr/share/man/man1/workflowd.1", "/usr/share/bash-completion/completions/wfctl",
                     "/usr/share/zsh/site-functions/_wfctl", "/usr/share/fish/vendor_completions.d/wfctl.fish",
                     "/usr/share/doc/workflowd/network.conf", "/etc/workflowd/workflows.d/review.yaml",
                     "/etc/workflowd/workflows.d/programs/draft.py"] {
            #expect(FileManager.default.fileExists(atPath: root + path), "\(path) installed")
        }
        #expect(FileManager.default.isExecutableFile(atPath: root + "/etc/workflowd/workflows.d/programs/draft.py"))
        let service = try String(contentsOfFile: root + "/usr/lib/systemd/system/workflowd.service", encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/bin/workflowd "))
        #expect(service.contains("ExecReload=/usr/bin/wfctl reload"))
        // The installed binary runs, and the sysusers entry creates the user and group.
        #expect(try await Wfctl.spawn(root + "/usr/bin/wfctl", ["--version"]).status == 0)
        outcome = try await Wfctl.spawn("/usr/bin/systemd-sysusers", ["--root=\(root)", root + "/usr/lib/sysusers.d/workflowd.conf"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8).contains("workflowd:x:"))
        #expect(try String(contentsOfFile: root + "/etc/group", encoding: .utf8).contains("workflowd:x:"))
        // Again: an operator's definitions are never overwritten.
        try "name: mine\nstart: o\nexecutors:\n  o: { kind: output }\n".write(toFile: root + "/etc/workflowd/workflows.d/review.yaml", atomically: true, encoding: .utf8)
        outcome = try await Wfctl.spawn(script, ["--root", root, "--prefix", "/usr", "--bin-dir", binaries])
        #expect(outcome.status == 0 && outcome.stdout.contains("kept the definitions"), "\(outcome)")
        #expect(try String(contentsOfFile: root + "/etc/workflowd/workflows.d/review.yaml", encoding: .utf8).hasPrefix("name: mine"))
    }

    @Test("Contrib/install.sh refuses binaries that need the Swift runtime's shared libraries (they would not start where no toolchain is)")
    func installRefusesSharedRuntime() async throws {
        let root = Self.temporary("root")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The debug build links the toolchain's libraries.
        let debug = URL(fileURLWithPath: try DaemonProcess.binary()).deletingLastPathComponent().path
        let script = Self.repository.appendingPathComponent("Contrib/install.sh").path
        let outcome = try await Wfctl.spawn(script, ["--root", root, "--prefix", "/usr", "--bin-dir", debug])
        #expect(outcome.status == 65, "\(outcome)")
        #expect(outcome.stderr.contains("--static-swift-stdlib"), "\(outcome)")
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/bin/workflowd"))
    }

    /// Whether a journald listens (a socket node nobody reads, left by a crashed test, is removed).
    static func journaldListens() -> Bool {
        let path = "/run/systemd/journal/socket"
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let probe = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(probe) }
        let result = UnixAddress.with(path) { connect(probe, $0, $1) }
        if result != 0 && errno == ECONNREFUSED {
            unlink(path)
            return false
        }
        return true
    }

    @Test("--log-target journal: entries with PRIORITY, MESSAGE and INSTANCE, RPC_METHOD, PEER_UID fields",
          .enabled(if: !SystemdUnitsTests.journaldListens(), "a real journald listens here"))
    func journal() async throws {
        try FileManager.default.createDirectory(atPath: "/run/systemd/journal", withIntermediateDirectories: true)
        let journal = try NotifyListener(path: "/run/systemd/journal/socket")
        let daemon = try DaemonProcess(arguments: ["--log-target", "journal"])
        try await daemon.start(awaitLog: false)  // it logs to the journal, not to stderr
        _ = try await journal.first { $0.fields["PRIORITY"] == "5" && $0.fields["MESSAGE"]?.contains("is listening on") == true }
        let client = try await daemon.client()
        _ = try await client.result("instance.create", ["name": "j", "definition": "echo"])
        _ = try await client.result("instance.get", ["instance": "j"])
        let entry = try await journal.first { $0.fields["MESSAGE"] == "request" && $0.fields["INSTANCE"] == "j" }
        #expect(entry.fields["PRIORITY"] == "7")
        #expect(entry.fields["RPC_METHOD"] == "instance.get")
        #expect(entry.fields["PEER_UID"] == String(getuid()))
        #expect(entry.fields["SYSLOG_IDENTIFIER"] == "workflowd")
        #expect(await daemon.stop() == 0)
    }
}
