import Foundation
import WorkflowConcurrency

/// A PostgreSQL 15 server of the tests' own: a cluster made with `initdb` in a temporary
/// directory, listening on a Unix socket there and nowhere else (no TCP port), started at first
/// use and stopped when the test process ends, however it ends: the server runs under a small
/// shell that holds this process's end of a pipe and stops it (fast shutdown) and removes the
/// directory when that pipe closes.
///
/// The server comes from Debian's `postgresql-15` (Contrib/dev/packages installs it). It runs
/// as the `postgres` user when the tests run as root (PostgreSQL refuses root), with trust
/// authentication on its socket (only this machine's users can reach the directory).
public final class PostgresServer: Sendable {
    /// The directory holding the server's socket (`.s.PGSQL.5432`).
    public let socketDirectory: String
    /// The role every test logs in as.
    public let user: String
    private let process: ChildProcess.Running
    private let counter = Locked(0)

    /// The server's binaries.
    public static let binaries = "/usr/lib/postgresql/15/bin"

    private static let started = Locked<Task<PostgresServer, any Error>?>(nil)

    /// The process's server, started at the first call. `durable`: with fsync and synchronous
    /// commit, as an operator runs it (the benchmarks); the tests' server skips both (a test
    /// server's data need not survive the machine).
    public static func shared(durable: Bool = false) async throws -> PostgresServer {
        let task = started.withLock { task in
            if let task { return task }
            let made = Task { try await PostgresServer.start(durable: durable) }
            task = made
            return made
        }
        return try await task.value
    }

    /// A server of the caller's alone (a test that restarts it), stopped when the process ends.
    public static func dedicated(durable: Bool = false) async throws -> PostgresServer {
        try await start(durable: durable)
    }

    /// Restarts the server (a fast shutdown, then a start on the same data), as an operator's
    /// `systemctl restart postgresql` does: every connection is closed; returns once it accepts
    /// connections again.
    public func restart() async throws {
        let pidFile = socketDirectory + "/data/postmaster.pid"
        let before = (try? String(contentsOfFile: pidFile, encoding: .utf8))?.split(separator: "\n").first.map(String.init)
        kill(process.pid, SIGUSR1)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let now = (try? String(contentsOfFile: pidFile, encoding: .utf8))?.split(separator: "\n").first.map(String.init)
            if let now, now != before, (try? await sql("SELECT 1")) == "1" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ChildProcess.Failure(description: "PostgreSQL did not come back after a restart")
    }

    /// Stops the server (a fast shutdown) until ``restart()``: every connection is closed and
    /// none is accepted meanwhile.
    public func stop() async throws {
        kill(process.pid, SIGUSR2)
        let deadline = ContinuousClock.now + .seconds(60)
        while FileManager.default.fileExists(atPath: socketDirectory + "/data/postmaster.pid") {
            guard ContinuousClock.now < deadline else { throw ChildProcess.Failure(description: "PostgreSQL did not stop") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private init(socketDirectory: String, user: String, process: ChildProcess.Running) {
        self.socketDirectory = socketDirectory
        self.user = user
        self.process = process
    }

    private static func start(durable: Bool) async throws -> PostgresServer {
        guard FileManager.default.isExecutableFile(atPath: "\(binaries)/initdb") else {
            throw ChildProcess.Failure(description: "PostgreSQL 15 is not installed (\(binaries)/initdb): run Contrib/dev/packages test")
        }
        let asRoot = getuid() == 0
        let user = asRoot ? "postgres" : (ProcessInfo.processInfo.environment["USER"] ?? "postgres")
        var template = Array("/tmp/wfd-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ChildProcess.Failure(description: "mkdtemp: \(String(cString: strerror(errno)))") }
        let directory = String(cString: made)
        // Run as `postgres`: its own directory, and the tools' output in English.
        var prefix: [String] = []
        if asRoot {
            guard let account = getpwnam("postgres") else { throw ChildProcess.Failure(description: "there is no 'postgres' user (install postgresql-15)") }
            _ = chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
            prefix = ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        }
        let environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": directory]
        let initdb = try await ChildProcess.run(prefix.first ?? "\(binaries)/initdb",
                                                Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : ["\(binaries)/initdb"]) +
                                                ["-D", "\(directory)/data", "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                                                environment: environment)
        guard initdb.status == 0 else { throw ChildProcess.Failure(description: "initdb failed: \(initdb)") }
        let settings = durable ? "" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        // Room for every test of a pass at once: the suites run in parallel, each with daemons
        // holding pools and a listening connection, and on a slow run (their stops slower too)
        // 200 ran out ("sorry, too many clients already", a CI run's psql exit 2).
        let server = "exec \(binaries)/postgres -D '\(directory)/data' -k '\(directory)' -c listen_addresses= \(settings)-c max_connections=1000"
        // SIGUSR1 (re)starts the server (``restart()``), SIGUSR2 stops it (``stop()``); the end of
        // this process's pipe stops it for good.
        // (`cat` runs in the background so that the trap runs at once; a background command's
        // input would be /dev/null, hence the pipe kept as fd 3.)
        let script = """
            start() { \(server) 2>&1 </dev/null & pid=$!; }
            start
            trap 'kill -INT $pid; wait $pid; start' USR1
            trap 'kill -INT $pid; wait $pid' USR2
            exec 3<&0
            cat <&3 >/dev/null & held=$!
            while kill -0 $held 2>/dev/null; do wait $held; done
            kill -INT $pid; wait $pid; rm -rf '\(directory)'
            """
        let process = try ChildProcess.start(prefix.first ?? "/bin/sh", Array(prefix.dropFirst()) + (prefix.isEmpty ? ["-c", script] : ["/bin/sh", "-c", script]),
                                             environment: environment, holdingInput: true)
        let result = PostgresServer(socketDirectory: directory, user: user, process: process)
        // Ready when its log says so (its log is the shell's output; an exit ends it first).
        let ready = try await within(.seconds(60), "PostgreSQL to accept connections") {
            for await line in process.lines where line.contains("ready to accept connections") { return true }
            return false
        }
        guard ready else { throw ChildProcess.Failure(description: "PostgreSQL did not start: \(process.stderrTail)") }
        return result
    }

    /// Makes an empty database on the server; returns its name.
    public func makeDatabase() async throws -> String {
        let name = "t\(getpid())_\(counter.withLock { $0 += 1; return $0 })"
        try await sql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL through psql on database `database` (the maintenance database by default); with
    /// `quiet` false, each statement's command tag (`UPDATE 2`) is printed too.
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres", quiet: Bool = true) async throws -> String {
        let outcome = try await ChildProcess.run("/usr/bin/psql", ["-X"] + (quiet ? ["-q"] : []) + ["-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory,
                                                                   "-U", user, "-d", database, "-c", statement],
                                                 environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
        guard outcome.status == 0 else { throw ChildProcess.Failure(description: "psql: \(statement): \(outcome)") }
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The libpq URL of database `name` on this server.
    public func url(database name: String) -> String {
        // Under a sanitizer, with the whole suite beside it, a connection once took over the
        // default 10 s to open.
        let timeout = TestEnvironment.sanitizer == nil ? "" : "&connect_timeout=40"
        return "postgresql:///\(name)?host=\(socketDirectory)&user=\(user)\(timeout)"
    }
}
