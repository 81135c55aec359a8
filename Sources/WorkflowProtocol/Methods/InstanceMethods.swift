import WorkflowJSON

/// `instance.*`: named, long-lived instances.
public enum InstanceMethods {
    /// `{instance}` and nothing else.
    public struct Target: Codable, Sendable, Hashable {
        public var instance: String
        public init(instance: String) { self.instance = instance }
    }

    static let instanceParam = RPCParam("instance", "The instance's name.")

    /// `instance.create`
    public enum Create: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var name: String
            public var definition: String
            public var onBusy: BusyPolicyValue?
            public init(name: String, definition: String, onBusy: BusyPolicyValue? = nil) {
                self.name = name
                self.definition = definition
                self.onBusy = onBusy
            }
        }
        public typealias Result = InstanceInfo
        public static let name = "instance.create"
        public static let summary = "Creates an instance from a loaded definition (pinning its current version). The caller's uid owns it."
        public static let params = [RPCParam("name", "The new instance's name.", Schema.name),
                                    RPCParam("definition", "A loaded definition's name."),
                                    RPCParam("onBusy", "What a run.start does while a run is active: reject (default) or queue.")]
        public static let result = Schema.ref("InstanceInfo")
        public static let errors: [RPCError.Code] = [.instanceExists, .definitionNotFound]
    }

    /// `instance.list`
    public enum List: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var definition: String?
            public var after: String?
            public var limit: Int?
            public init(definition: String? = nil, after: String? = nil, limit: Int? = nil) {
                self.definition = definition
                self.after = after
                self.limit = limit
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var instances: [InstanceInfo]
            /// Pass as `after` for the next page (absent on the last page).
            public var next: String?
            public init(instances: [InstanceInfo], next: String?) {
                self.instances = instances
                self.next = next
            }
        }
        public static let name = "instance.list"
        public static let summary = "The instances the caller may see (its own; root sees all), by name, a page at a time."
        public static let params = [RPCParam("definition", "Only instances of this definition."),
                                    RPCParam("after", "Names after this one (the previous page's next)."),
                                    RPCParam("limit", "At most this many (default 1000, at most 10000).", ["type": "integer", "minimum": 1, "maximum": 10000])]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = []
    }

    /// `instance.get`
    public enum Get: RPCMethod {
        public typealias Params = Target
        public typealias Result = InstanceInfo
        public static let name = "instance.get"
        public static let summary = "One instance: status, active and queued runs, open requests (with their schemas), head checkpoint, definition and version, owner."
        public static let params = [instanceParam]
        public static let result = Schema.ref("InstanceInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound]
    }

    /// `instance.delete`
    public enum Delete: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var cancel: Bool?
            public init(instance: String, cancel: Bool? = nil) {
                self.instance = instance
                self.cancel = cancel
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            public var deleted: Bool
            public init(deleted: Bool) { self.deleted = deleted }
        }
        public static let name = "instance.delete"
        public static let summary = "Deletes an instance with its checkpoints, events and runs. Refused while a run is active, unless cancel is true (the run is cancelled and awaited first)."
        public static let params = [instanceParam, RPCParam("cancel", "Cancel an active run first.")]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound, .instanceBusy]
    }

    /// `instance.signal`
    public enum Signal: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var name: String
            public var payload: JSON?
            /// W3C Trace Context of the caller's span (`traceparent`).
            public var traceparent: String?
            public init(instance: String, name: String, payload: JSON? = nil, traceparent: String? = nil) {
                self.instance = instance
                self.name = name
                self.payload = payload
                self.traceparent = traceparent
            }
        }
        public struct Result: Codable, Sendable, Hashable {
            /// Whether a wait was armed for it (else it is kept for the first that will be).
            public var delivered: Bool
            /// The wait it woke.
            public var waitId: String?
            /// The run that delivers it: the active run, or a continuation.
            public var runId: String?
            /// Whether delivering it starts a run.
            public var startedRun: Bool
            public init(delivered: Bool, waitId: String?, runId: String?, startedRun: Bool) {
                self.delivered = delivered
                self.waitId = waitId
                self.runId = runId
                self.startedRun = startedRun
            }
        }
        public static let name = "instance.signal"
        public static let summary = "Sends the instance a named signal: it wakes the first wait armed for that name (the active run delivers it at its next boundary, or a continuation run starts), or, when none is armed, it is kept, durably, for the first wait that will be (at most signalLimit kept; more is refused with -32013). Durable before this answers."
        public static let params = [instanceParam, RPCParam("name", "The signal's name.", ["type": "string", "minLength": 1, "maxLength": 128]),
                                    RPCParam("payload", "What it carries (any JSON; default null)."), RPCParam("traceparent", "W3C Trace Context of the caller's span: the daemon's spans for this call, and the run it starts or continues, belong to that trace.", ["type": "string", "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"])]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound, .instanceBusy, .limitExceeded, .storeFailed, .instanceBroken]
    }

    /// `instance.pause`
    public enum Pause: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var reason: String?
            public init(instance: String, reason: String? = nil) {
                self.instance = instance
                self.reason = reason
            }
        }
        public typealias Result = InstanceInfo
        public static let name = "instance.pause"
        public static let summary = "Pauses an instance: the active run stops at its next superstep boundary (as a graceful stop does; it stays in progress) and answers once it has; while paused no run starts (run.start is queued on an instance that queues, else refused with -32004), waits do not fire, schedules' fires are queued or skipped by their overlap, no reset, rewind or fork is done; responses and signals are still accepted and kept. Durable: a restart keeps it paused. instance.resume goes on."
        public static let params = [instanceParam, RPCParam("reason", "Why (shown by instance.get and wfctl show).", ["type": "string", "maxLength": 1024])]
        public static let result = Schema.ref("InstanceInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .storeFailed]
    }

    /// `instance.resume`
    public enum Resume: RPCMethod {
        public typealias Params = Target
        public typealias Result = InstanceInfo
        public static let name = "instance.resume"
        public static let summary = "Resumes a paused instance: the run the pause stopped goes on from its last checkpoint (run_recovered), then what was kept (responses, signals, queued runs) is delivered and started, and waits that came due fire."
        public static let params = [instanceParam]
        public static let result = Schema.ref("InstanceInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .storeFailed]
    }

    /// `instance.reset`
    public enum Reset: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var cancel: Bool?
            public var upgrade: Bool?
            public init(instance: String, cancel: Bool? = nil, upgrade: Bool? = nil) {
                self.instance = instance
                self.cancel = cancel
                self.upgrade = upgrade
            }
        }
        public typealias Result = InstanceInfo
        public static let name = "instance.reset"
        public static let summary = "Makes the instance like new (state, requests, queue, keys, lineage), atomically. Refused while a run is active unless cancel is true; upgrade moves it to the definition's current version."
        public static let params = [instanceParam, RPCParam("cancel", "Cancel an active run first."),
                                    RPCParam("upgrade", "Move to the definition's current version.")]
        public static let result = Schema.ref("InstanceInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .instanceBusy, .definitionNotFound]
    }

    /// What `instance.rewind` and `instance.fork` give back.
    public struct Continued: Codable, Sendable, Hashable {
        public var instance: InstanceInfo
        /// The run that continues the checkpoint's work in flight, if it had any.
        public var runId: String?
        public init(instance: InstanceInfo, runId: String?) {
            self.instance = instance
            self.runId = runId
        }
    }

    static let continuedSchema = Schema.of(Continued.self)

    /// `instance.rewind`
    public enum Rewind: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var checkpointId: String
            public init(instance: String, checkpointId: String) {
                self.instance = instance
                self.checkpointId = checkpointId
            }
        }
        public typealias Result = Continued
        public static let name = "instance.rewind"
        public static let summary = "Restores a checkpoint of the instance in place (a new branch starts there); if it has work in flight, a run continues it."
        public static let params = [instanceParam, RPCParam("checkpointId", "A checkpoint id or label.")]
        public static let result = continuedSchema
        public static let errors: [RPCError.Code] = [.instanceNotFound, .instanceBusy, .checkpointNotFound, .checkpointIncompatible]
    }

    /// `instance.fork`
    public enum Fork: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var checkpointId: String
            public var name: String
            public init(instance: String, checkpointId: String, name: String) {
                self.instance = instance
                self.checkpointId = checkpointId
                self.name = name
            }
        }
        public typealias Result = Continued
        public static let name = "instance.fork"
        public static let summary = "Creates a new instance from a checkpoint of this one, recording where it came from; if the checkpoint has work in flight, a run on the new instance continues it."
        public static let params = [instanceParam, RPCParam("checkpointId", "A checkpoint id or label."),
                                    RPCParam("name", "The new instance's name.", Schema.name)]
        public static let result = continuedSchema
        public static let errors: [RPCError.Code] = [.instanceNotFound, .instanceExists, .checkpointNotFound, .checkpointIncompatible]
    }
}
