#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Logging
import ServiceLifecycle
import SystemdSupport
import UnixSignals
import WorkflowDaemon
import WorkflowDefinitions
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol
import WorkflowStore
import WorkflowTelemetry
import Tracing

/// `workflowd`: the daemon. With no options it serves the example definitions from the project
/// (Contrib/examples), keeps its state in .workflowd/ and listens on .workflowd/workflowd.sock.
@main
struct Workflowd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflowd",
        abstract: "Holds named, reusable workflow instances and drives them over JSON-RPC 2.0 on a Unix socket.",
        discussion: """
            Defaults: definitions from $CONFIGURATION_DIRECTORY/workflows.d, else Contrib/examples; state in \
            $STATE_DIRECTORY, else .workflowd; the socket <state-dir>/workflowd.sock. SIGTERM or SIGINT stop it \
            gracefully (active runs resume on the next start); SIGHUP re-reads the definitions. \
            `workflowd migrate` copies the state between SQLite and PostgreSQL.
            """,
        version: RPCCatalogue.version)

    /// `workflowd migrate …` is its own command (see ``Migrate``): the daemon's options and its
    /// share names (`--state-dir`, `--database`), which a parent command would take for itself.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "migrate" {
            await Migrate.main(Array(arguments.dropFirst()))
        } else {
            do {
                var command = try parseAsRoot(arguments)
                if var asynchronous = command as? any AsyncParsableCommand {
                    try await asynchronous.run()
                } else {
                    try command.run()
                }
            } catch {
                exit(withError: error)
            }
        }
    }

    @Option(help: "The Unix socket to listen on (default: <state-dir>/workflowd.sock).")
    var socket: String?

    @Option(help: "The socket file's mode, in octal.")
    var socketMode: String = "660"

    @Option(name: .customLong("state-dir"), help: "Where the database lives.")
    var stateDirectory: String?

    @Option(help: ArgumentHelp("Keep the state in PostgreSQL instead of SQLite: a libpq URL (postgresql:///workflowd?host=/run/postgresql) or keywords (host=/run/postgresql dbname=workflowd).",
                               discussion: "Never put the password here: give it with --database-password-file or the systemd credential database-password."))
    var database: String?

    @Option(help: "A file holding the PostgreSQL password (default: $CREDENTIALS_DIRECTORY/database-password, when there is one).")
    var databasePasswordFile: String?

    @Option(help: ArgumentHelp("This host's id among the hosts that share a PostgreSQL database (default: the host name and a hash of the machine id and the state directory, so two daemons on one machine differ).",
                               valueName: "id"))
    var hostId: String?

    @Option(help: "With PostgreSQL: how long a host's heartbeat counts; after it, the other hosts take its instances over.")
    var lease: String = "3s"

    @Option(help: "With PostgreSQL: an instance unused this long is released, so the next host to use it owns it.")
    var idleRelease: String = "30s"

    @Option(help: "The definitions directory (*.yaml, *.yml, *.json).")
    var definitions: String?

    @Option(help: "What to do with a run that was in progress when the daemon stopped: resume or fail.")
    var recover: RecoveryMode = .resume

    @Option(help: "normal (survives a crash of the process) or full (also a power loss; an fsync per commit).")
    var durability: StoreConfiguration.Durability = .normal

    @Option(help: "Checkpoints kept per instance (besides the head, branch tips, labelled ones, and as many again of those with open requests).")
    var checkpointRetention: Int = 100

    @Option(help: "Events kept per instance (the newest; a subscriber asking for older ones is told which it missed).")
    var eventRetention: Int = 100_000

    @Option(help: "The longest line a client may send, in bytes.")
    var maxLineBytes: Int = DaemonLimits().maxLineBytes
    @Option(help: "Messages in one batch.")
    var maxBatch: Int = DaemonLimits().maxBatch
    @Option(help: "Connections at once.")
    var maxConnections: Int = DaemonLimits().maxConnections
    @Option(help: "Connections at once per uid.")
    var maxConnectionsPerUid: Int = DaemonLimits().maxConnectionsPerUID
    @Option(help: "Requests one connection may have in progress.")
    var maxRequestsPerConnection: Int = DaemonLimits().maxRequestsPerConnection
    @Option(help: "Subscriptions per connection.")
    var maxSubscriptionsPerConnection: Int = DaemonLimits().maxSubscriptionsPerConnection
    @Option(help: "Bytes waiting to be sent to one connection before its subscriptions overflow.")
    var maxQueuedBytes: Int = DaemonLimits().maxQueuedBytes
    @Option(help: "Bytes waiting to be sent to all connections together; beyond it, a connection with 16 KiB waiting gets no more events (its subscriptions overflow).")
    var maxQueuedBytesTotal: Int = DaemonLimits().maxQueuedBytesTotal
    @Option(help: "Events one subscription may have waiting in the daemon before it overflows (the client resumes with afterSeq).")
    var maxBufferedEvents: Int = DaemonLimits().maxBufferedEvents
    @Option(help: "Events all subscriptions together may have waiting in the daemon; beyond it, subscriptions that are behind overflow.")
    var maxBufferedEventsTotal: Int = DaemonLimits().maxBufferedEventsTotal
    @Option(help: "Requests open at once per instance; a run that would raise one more fails (answer them or reset the instance).")
    var maxOpenRequests: Int = DaemonLimits().maxOpenRequests
    @Option(help: "Instances kept in memory (idle ones beyond it are evicted).")
    var maxLoadedInstances: Int = DaemonLimits().maxLoadedInstances

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(help: ArgumentHelp("Where logs go: journal (structured fields), stderr (lines with <N> priority prefixes), or auto.",
                               discussion: "auto: the journal when systemd connected stderr to it (JOURNAL_STREAM) and journald listens, else stderr."))
    var logTarget: LogTarget = .auto

    @Option(help: "How often the status systemd shows (STATUS=) is refreshed, e.g. 10s.")
    var statusInterval: String = "10s"

    @Option(help: "On SIGTERM, how long supersteps in flight may take to finish before they are interrupted (e.g. 10s; keep it below TimeoutStopSec).")
    var stopGrace: String = "10s"

    @Option(help: ArgumentHelp("Serve the metrics over HTTP at /metrics for Prometheus: HOST:PORT on loopback (127.0.0.1:9464, [::1]:9464) or a Unix socket path.",
                               discussion: "A socket handed over by socket activation with FileDescriptorName=metrics is used instead. Without either, the metrics are still at daemon.metrics (wfctl metrics).",
                               valueName: "address"))
    var metricsListen: String?

    @Option(help: ArgumentHelp("Send traces (OpenTelemetry, OTLP/HTTP in protocol buffers) to this collector: http://HOST:PORT, to which /v1/traces is added, or the full URL.",
                               discussion: "Without it, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; neither: no spans are made. OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS are read too; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn tracing off.",
                               valueName: "url"))
    var otlpEndpoint: String?

    @Flag(help: "Print the protocol's OpenRPC document (Contrib/openrpc.json) and exit.")
    var printOpenrpc = false

    func run() async throws {
        if printOpenrpc {
            print(RPCCatalogue.openRPC.serialized())
            return
        }
        let environment = Environment.read()
        // Before the daemon's threads start: an arena per core at most, fixed thresholds.
        Allocator.configure(arenas: max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))), tunables: environment["GLIBC_TUNABLES"])
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let journal = logTarget == .journal
            || (logTarget == .auto && !(environment["JOURNAL_STREAM"] ?? "").isEmpty && JournalLogHandler.isAvailable())
        // Entries written in a traced call or run carry its trace ids (TRACE_ID=, SPAN_ID=).
        LoggingSystem.bootstrap({ label, provider -> any LogHandler in
            journal ? JournalLogHandler(identifier: "workflowd", level: level, metadataProvider: provider)
                    : StderrLogHandler(label: label, level: level, metadataProvider: provider)
        }, metadataProvider: TraceLogMetadata.provider)
        let logger = Logger(label: "workflowd")
        guard let grace = Self.duration(stopGrace) else { throw ValidationError("--stop-grace takes a duration like 500ms, 10s or 1m") }
        guard let statusEvery = Self.duration(statusInterval), statusEvery > .zero else {
            throw ValidationError("--status-interval takes a duration like 500ms, 10s or 1m")
        }
        // Socket activation: a listening socket handed over by systemd (or systemd-socket-activate).
        let handedOver = ListenSockets.take()
        var adopted: ListenSockets.Socket?
        var metricsPlace: MetricsListen?
        if !handedOver.isEmpty {
            // A socket named "metrics" is the metrics endpoint's; the JSON-RPC socket is among the rest.
            if let metrics = handedOver.first(where: { $0.name == "metrics" }) {
                guard ListenSockets.isListeningStream(metrics.descriptor) else {
                    throw ValidationError("socket activation passed a socket named metrics (fd \(metrics.descriptor)) that is not a listening stream socket (use ListenStream= and Accept=no)")
                }
                metricsPlace = .adopted(descriptor: metrics.descriptor)
            }
            adopted = try ListenSockets.listeningUnixStream(among: handedOver.filter { $0.name != "metrics" }, preferred: "jsonrpc")
        }
        if metricsPlace == nil, let metricsListen {
            do {
                metricsPlace = try MetricsListen(parsing: metricsListen)
            } catch {
                throw ValidationError("--metrics-listen: \(error)")
            }
        }
        let notifier: any ServiceNotifier = SystemdNotifier.isAvailable(environment: environment) ? SystemdNotifier() : SilentNotifier()
        let state = stateDirectory ?? environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first.map(String.init) } ?? ".workflowd"
        let definitionsDirectory = definitions ?? environment["CONFIGURATION_DIRECTORY"].map { $0 + "/workflows.d" } ?? "Contrib/examples"
        var limits = DaemonLimits()
        limits.maxLineBytes = maxLineBytes
        limits.maxBatch = maxBatch
        limits.maxConnections = maxConnections
        limits.maxConnectionsPerUID = maxConnectionsPerUid
        limits.maxRequestsPerConnection = maxRequestsPerConnection
        limits.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        limits.maxQueuedBytes = maxQueuedBytes
        limits.maxQueuedBytesTotal = maxQueuedBytesTotal
        limits.maxLoadedInstances = maxLoadedInstances
        for (option, value) in [("--max-open-requests", maxOpenRequests), ("--max-buffered-events", maxBufferedEvents),
                                ("--max-buffered-events-total", maxBufferedEventsTotal)] where value < 1 {
            throw ValidationError("\(option) must be at least 1 (got \(value))")
        }
        limits.maxOpenRequests = maxOpenRequests
        limits.maxBufferedEvents = maxBufferedEvents
        limits.maxBufferedEventsTotal = maxBufferedEventsTotal
        guard let mode = UInt32(socketMode, radix: 8) else { throw ValidationError("--socket-mode must be octal, like 660") }
        let socketPath = adopted.map { ListenSockets.path(of: $0.descriptor) ?? "fd \($0.descriptor)" } ?? socket ?? state + "/workflowd.sock"
        let postgres = try database.map { try Self.postgresLocation($0, passwordFile: databasePasswordFile, environment: environment) }
        guard let leaseTime = Self.duration(lease), leaseTime >= .milliseconds(300) else {
            throw ValidationError("--lease takes a duration of at least 300ms, like 3s")
        }
        guard let idleTime = Self.duration(idleRelease) else { throw ValidationError("--idle-release takes a duration like 30s or 5m") }
        let host = hostId ?? Self.defaultHostID(stateDirectory: state)
        if let problem = Self.hostIDProblem(host) { throw ValidationError("--host-id: \(problem)") }
        var settings = DaemonConfiguration(socketPath: socketPath, socketMode: mode, stateDirectory: state,
                                                definitionsDirectory: definitionsDirectory, recoveryMode: recover, durability: durability,
                                                checkpointRetention: checkpointRetention, eventRetention: max(1, eventRetention), limits: limits, logger: logger,
                                                adoptedSocket: adopted?.descriptor, notifier: notifier, watchdogInterval: Watchdog.interval(),
                                                stopGrace: grace, statusInterval: statusEvery, postgres: postgres, hostID: host)
        settings.metricsListen = metricsPlace
        // systemd's LoadCredential= (llm steps' apiKeyCredential names files there).
        settings.definitionSettings = DefinitionSettings(credentialsDirectory: environment["CREDENTIALS_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0 })
        let exporter = try TraceExport.configured(endpoint: otlpEndpoint, environment: environment, logger: logger)
        if let exporter {
            // The daemon's spans go to the tracer its configuration holds; the libraries that
            // look for one in InstrumentationSystem find the same.
            let tracer = OTLPTracer(exporter: exporter)
            InstrumentationSystem.bootstrap(tracer)
            settings.tracer = tracer
        }
        settings.lease = leaseTime
        settings.idleRelease = idleTime
        let configuration = settings
        let daemon = WorkflowDaemon(configuration: configuration) { ready in
            let path = ready.socketPath
            let handedOver = ready.socketActivated ? ", a socket handed over by socket activation" : ""
            logger.notice("workflowd is listening on \(path)\(handedOver) (\(ready.definitions) definitions from \(definitionsDirectory), state in \(configuration.databaseDescription))")
            if let exporter {
                logger.notice("traces are sent to \(exporter.endpoint)", metadata: ["otlp.endpoint": "\(exporter.endpoint)"])
            }
            if let metrics = ready.metricsAddress {
                logger.notice("metrics are served at \(metrics.hasPrefix("/") ? "unix:" + metrics + ":" : "http://" + metrics)/metrics",
                              metadata: ["metrics.address": "\(metrics)"])
            }
            // For a person who started it in a terminal (the Quick start), not for the journal.
            if !journal {
                logger.notice(#"talk to it: python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.connect('\#(path)'); s.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.ping\"}\n'); print(s.recv(65536).decode())""#)
            }
        }
        // The exporter is stopped after the daemon (services stop in reverse order): the spans of
        // the stop itself are sent too.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = (exporter.map { [.init(service: TraceExport(exporter: $0))] } ?? [])
            + [.init(service: daemon)]
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      cancellationSignals: [], logger: logger))
        try await group.run()
    }
}

extension Workflowd {
    enum LogTarget: String, ExpressibleByArgument, CaseIterable { case auto, journal, stderr }

    /// The PostgreSQL location of `--database`, with its password read from `passwordFile` or the
    /// systemd credential `database-password` (neither: no password, as for a Unix socket with
    /// peer authentication). The user defaults to the one workflowd runs as.
    static func postgresLocation(_ text: String, passwordFile: String?, environment: [String: String]) throws -> PostgresLocation {
        var password: String?
        let credential = environment["CREDENTIALS_DIRECTORY"].map { $0 + "/database-password" }
        if let file = passwordFile ?? credential.flatMap({ access($0, R_OK) == 0 ? $0 : nil }) {
            switch readSmallFile(file, limit: 65_536) {
            case .success(let contents): password = String(contents.prefix { $0 != "\n" && $0 != "\r" })
            case .failure(let problem): throw ValidationError("cannot read the database password from \(file): \(problem)")
            }
        }
        let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "postgres"
        do {
            return try PostgresLocation(parsing: text, password: password, defaultUser: user)
        } catch let invalid as PostgresLocation.Invalid {
            throw ValidationError("--database: \(invalid)")
        }
    }

    /// The host name, and a hash of the machine id and the state directory's absolute path: stable
    /// across restarts, different for two daemons on one machine.
    static func defaultHostID(stateDirectory: String) -> String {
        var name = [CChar](repeating: 0, count: 256)
        let hostname = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        let machine = (try? readSmallFile("/etc/machine-id", limit: 4096).get()).map { String($0.prefix { $0 != "\n" }) } ?? ""
        let directory = realpath(stateDirectory, nil).map { pointer in defer { free(pointer) }; return String(cString: pointer) } ?? stateDirectory
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in (machine + "\0" + directory).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let short = String(hash, radix: 16)
        return String(hostname.prefix(40)) + "-" + String(repeating: "0", count: 16 - short.count) + short.prefix(16)
    }

    /// Why `id` cannot name a host (1 to 64 printable characters, no spaces), or nil.
    static func hostIDProblem(_ id: String) -> String? {
        if id.isEmpty || id.utf8.count > 64 { return "a host id has 1 to 64 characters (got \(id.utf8.count))" }
        if id.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f }) { return "a host id has no spaces or control characters" }
        return nil
    }

    /// Why a small file could not be read.
    enum FileProblem: Error, CustomStringConvertible {
        case system(Int32)
        case tooLarge(limit: Int)

        var description: String {
            switch self {
            case .system(let code): String(cString: strerror(code))
            case .tooLarge(let limit): "it is larger than \(limit / 1024) KiB (a password file holds one line)"
            }
        }
    }

    /// A whole file's text, if it is no larger than `limit` bytes.
    static func readSmallFile(_ path: String, limit: Int) -> Result<String, FileProblem> {
        guard let file = fopen(path, "r") else { return .failure(.system(errno)) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes += buffer[0..<count] }
            if bytes.count > limit { return .failure(.tooLarge(limit: limit)) }
            if count < buffer.count { break }
        }
        if ferror(file) != 0 { return .failure(.system(errno)) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// `500ms`, `10s`, `5m` (as definitions write durations).
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0 else { return nil }
            return .milliseconds(Int64(value * scale * 1000))
        }
        return nil
    }
}

extension RecoveryMode: ExpressibleByArgument {}
extension StoreConfiguration.Durability: ExpressibleByArgument {}

