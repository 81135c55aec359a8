import Logging
import SystemdSupport
import Tracing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowStore

/// Everything the daemon needs, passed in explicitly (the executable reads its options and the
/// environment; nothing below it does).
public struct DaemonConfiguration: Sendable {
    /// Where to listen, unless a listening socket is handed over (socket activation).
    public var socketPath: String
    /// The socket file's mode when the daemon binds it itself (e.g. 0o660).
    public var socketMode: UInt32
    /// The state directory: the database lives here, unless ``postgres`` names one elsewhere.
    public var stateDirectory: String
    /// A PostgreSQL database to keep the state in instead of the SQLite file in the state
    /// directory (DESIGN.md §12); nil: SQLite.
    public var postgres: PostgresLocation?
    /// This host's id among the hosts that share ``postgres`` (`--host-id`); used only with it.
    public var hostID: String
    /// How long a host's heartbeat counts: a host silent for longer is dead and the others take
    /// its instances over (it beats every third of this).
    public var lease: Duration = .seconds(3)
    /// With several hosts, an instance quiet this long is released, so that the next host to use
    /// it owns it (load spreads where it is used).
    public var idleRelease: Duration = .seconds(30)
    /// The definitions directory (`*.yaml`, `*.yml`, `*.json`).
    public var definitionsDirectory: String
    /// What the definitions are told about where they run: the credentials directory
    /// (systemd's `$CREDENTIALS_DIRECTORY`) where `llm` steps find `apiKeyCredential`.
    public var definitionSettings = DefinitionSettings()
    /// What to do with a run that was in progress when the process stopped.
    public var recoveryMode: RecoveryMode
    public var durability: StoreConfiguration.Durability
    /// Checkpoints kept per instance (labelled ones, the head, branch tips and those with open
    /// requests are kept besides).
    public var checkpointRetention: Int
    /// Events kept per instance (the newest); a subscriber asking for older ones is told which
    /// it missed.
    public var eventRetention: Int
    public var limits: DaemonLimits
    public var logger: Logger
    /// A listening socket handed over by socket activation (then `socketPath` only names it):
    /// the daemon serves on it and never unlinks its path.
    public var adoptedSocket: Int32?
    /// Where the metrics are served over HTTP (nil: only over JSON-RPC, `daemon.metrics`).
    public var metricsListen: MetricsListen?
    /// Where spans go (the executable makes the tracer): each call, run, superstep, executor,
    /// message and commit gets one. Nil, none of that is done at all.
    public var tracer: (any Tracer)?
    /// Where READY, STATUS, RELOADING, STOPPING and WATCHDOG go (systemd, or nowhere).
    public var notifier: any ServiceNotifier
    /// The service watchdog's interval (`WatchdogSec=`): a health check that goes through the
    /// event loop, the instance registry and the database pings at half of it.
    public var watchdogInterval: Duration?
    /// On SIGTERM, how long supersteps in flight may take to finish (and be checkpointed) before
    /// they are interrupted. Their programs are then sent SIGTERM, and whatever of them is still
    /// running ``stopKillDelay`` later is killed: a stop takes at most the sum (plus a commit),
    /// which must stay below the unit's TimeoutStopSec, so that systemd never has to kill.
    public var stopGrace: Duration
    /// After ``stopGrace``, how long interrupted programs have to end before they are killed.
    public var stopKillDelay: Duration = .seconds(5)
    /// How often STATUS= is refreshed.
    public var statusInterval: Duration
    /// How often freed memory is returned to the system (``Allocator``); nil: never.
    public var memoryTrimInterval: Duration?

    public init(socketPath: String, socketMode: UInt32 = 0o660, stateDirectory: String, definitionsDirectory: String,
                recoveryMode: RecoveryMode = .resume, durability: StoreConfiguration.Durability = .normal, checkpointRetention: Int = 100,
                eventRetention: Int = 100_000, limits: DaemonLimits = DaemonLimits(), logger: Logger = Logger(label: "workflowd"),
                adoptedSocket: Int32? = nil, notifier: any ServiceNotifier = SilentNotifier(), watchdogInterval: Duration? = nil,
                stopGrace: Duration = .seconds(10), statusInterval: Duration = .seconds(10),
                memoryTrimInterval: Duration? = .seconds(15), postgres: PostgresLocation? = nil, hostID: String = "workflowd") {
        self.postgres = postgres
        self.hostID = hostID
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.stateDirectory = stateDirectory
        self.definitionsDirectory = definitionsDirectory
        self.recoveryMode = recoveryMode
        self.durability = durability
        self.checkpointRetention = checkpointRetention
        self.eventRetention = eventRetention
        self.limits = limits
        self.logger = logger
        self.adoptedSocket = adoptedSocket
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
        self.stopGrace = stopGrace
        self.memoryTrimInterval = memoryTrimInterval
        self.statusInterval = statusInterval
    }

    /// The database file (when the state is kept in SQLite).
    public var databasePath: String { stateDirectory + "/workflowd.sqlite" }

    /// Where the state is kept, for logs and status: the SQLite file, or the PostgreSQL database
    /// (without its password).
    public var databaseDescription: String { postgres?.description ?? databasePath }
}
