import WorkflowJSON

/// `daemon.*` and `rpc.discover`.
public enum DaemonMethods {
    /// `daemon.ping`: whether the daemon answers.
    public enum Ping: RPCMethod {
        public typealias Params = NoParams
        public struct Result: Codable, Sendable, Hashable {
            public var pong: Bool
            public var version: String
            public init(pong: Bool, version: String) {
                self.pong = pong
                self.version = version
            }
        }
        public static let name = "daemon.ping"
        public static let summary = "Answers at once: the daemon is up."
        public static let params: [RPCParam] = []
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = []
    }

    /// `daemon.status`: what the daemon holds and does.
    public enum Status: RPCMethod {
        public typealias Params = NoParams
        public struct Result: Codable, Sendable, Hashable {
            public var version: String
            public var pid: Int32
            public var startedAt: String
            public var uptimeSeconds: Double
            public var socket: String
            public var stateDirectory: String
            public var definitionsDirectory: String
            public var instancesStored: Int
            public var instancesLoaded: Int
            public var activeRuns: Int
            public var connections: Int
            public var subscriptions: Int
            public var definitions: Int
            public var definitionErrors: [DefinitionProblem]
            /// Transactions the store has written since the daemon started (each may carry the
            /// work of several instances: group commit).
            public var storeTransactions: Int
            /// Instances paused (`instance.pause`).
            public var instancesPaused: Int?
            /// This daemon's host id, when several hosts may share its PostgreSQL database.
            public var host: String?
            /// The hosts that share the database, with their heartbeats and how many instances each owns.
            public var hosts: [HostInfo]?
            public init(version: String, pid: Int32, startedAt: String, uptimeSeconds: Double, socket: String, stateDirectory: String,
                        definitionsDirectory: String, instancesStored: Int, instancesLoaded: Int, activeRuns: Int, connections: Int,
                        subscriptions: Int, definitions: Int, definitionErrors: [DefinitionProblem], storeTransactions: Int) {
                self.version = version
                self.pid = pid
                self.startedAt = startedAt
                self.uptimeSeconds = uptimeSeconds
                self.socket = socket
                self.stateDirectory = stateDirectory
                self.definitionsDirectory = definitionsDirectory
                self.instancesStored = instancesStored
                self.instancesLoaded = instancesLoaded
                self.activeRuns = activeRuns
                self.connections = connections
                self.subscriptions = subscriptions
                self.definitions = definitions
                self.definitionErrors = definitionErrors
                self.storeTransactions = storeTransactions
            }
        }
        public static let name = "daemon.status"
        public static let summary = "The daemon's version, uptime, paths and counts (instances stored and loaded, active runs, connections, subscriptions, definitions and the errors of those that do not load, store transactions written)."
        public static let params: [RPCParam] = []
        public static let result = Schema.of(Result.self, ["startedAt": Schema.time, "uptimeSeconds": ["type": "number", "minimum": 0]])
        public static let errors: [RPCError.Code] = []
    }

    /// `daemon.metrics`: the daemon's metrics in Prometheus' text exposition format.
    public enum Metrics: RPCMethod {
        public typealias Params = NoParams
        public struct Result: Codable, Sendable, Hashable {
            /// The exposition (text format 0.0.4): `# HELP`, `# TYPE` and sample lines.
            public var text: String
            public init(text: String) { self.text = text }
        }
        public static let name = "daemon.metrics"
        public static let summary = "The daemon's metrics in Prometheus' text exposition format (format 0.0.4), as its HTTP endpoint (--metrics-listen) serves them at /metrics: runs started and finished by definition and status, superstep, commit and call durations, instances, active runs, open requests and the age of the oldest, connections, subscriptions."
        public static let params: [RPCParam] = []
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = []
    }

    /// `daemon.reload`: re-reads the definitions directory.
    public enum Reload: RPCMethod {
        public typealias Params = NoParams
        public struct Result: Codable, Sendable, Hashable {
            public var definitions: [String]
            public var errors: [DefinitionProblem]
            public init(definitions: [String], errors: [DefinitionProblem]) {
                self.definitions = definitions
                self.errors = errors
            }
        }
        public static let name = "daemon.reload"
        public static let summary = "Re-reads the definitions directory and answers once done. Instances keep the version they pin until reset with upgrade; a definition that no longer loads is reported, and the instances on it keep working."
        public static let params: [RPCParam] = []
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = []
    }

    /// `rpc.discover`: this protocol as an OpenRPC 1.3 document.
    public enum Discover: RPCMethod {
        public typealias Params = NoParams
        public typealias Result = JSON
        public static let name = "rpc.discover"
        public static let summary = "This protocol as an OpenRPC 1.3 document (the same as Contrib/openrpc.json)."
        public static let params: [RPCParam] = []
        public static let result: JSON = ["$ref": "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json"]
        public static let errors: [RPCError.Code] = []
    }
}
