/// A complete snapshot of an instance at a superstep boundary: shared, executor and edge state,
/// in-flight messages, pending requests, the superstep counter, status, the definition's hash and
/// the parent checkpoint. It is plain JSON (``json``), so it can be inspected, stored anywhere,
/// and restored without the process that wrote it.
public struct Checkpoint: Sendable, Hashable {
    /// Why a checkpoint was written.
    public enum Reason: String, Sendable, Hashable {
        /// A run started (its input, or its trigger, is in flight): superstep 0 of the run.
        case runStarted = "run_started"
        /// A superstep completed.
        case superstep
        /// A response was accepted (it is in flight toward its executor).
        case responseAccepted = "response_accepted"
        /// A wait fired (its wake is in flight toward its executor).
        case waitFired = "wait_fired"
        /// A signal came that no wait was armed for: it is kept for the first that will be.
        case signalKept = "signal_kept"
        /// Asked for (``WorkflowInstance/takeCheckpoint()``) while the instance was idle.
        case manual
    }

    /// A message waiting to be delivered.
    public struct Message: Sendable, Hashable {
        /// Who sent it: an executor id, `input`, or `fan-in:<edge>`.
        public var source: String
        /// The executor it is for.
        public var target: String
        /// The message (for a response delivery, the response).
        public var payload: JSON
        /// For a response delivery: the request being answered (`payload` is the response).
        public var request: WorkflowRequest?
        /// For a wake: the wait that fired (`payload` is the wake's message).
        public var wake: WorkflowWake?

        /// Makes a message waiting for delivery.
        public init(source: String, target: String, payload: JSON, request: WorkflowRequest?, wake: WorkflowWake? = nil) {
            self.source = source
            self.target = target
            self.payload = payload
            self.request = request
            self.wake = wake
        }
    }

    /// The checkpoint's id (`c_…`), unique across instances.
    public var id: String
    /// The instance's previous checkpoint (across runs and resumes); nil at the root of a lineage.
    public var parentID: String?
    /// The instance it was taken of.
    public var instance: String
    /// The name of the workflow the instance runs.
    public var workflowName: String
    /// The hash of the workflow's graph: a checkpoint is restored only into the same graph.
    public var definitionHash: String
    /// The run that wrote it; nil for a checkpoint taken while the instance was idle.
    public var runID: String?
    /// Why it was written.
    public var reason: Reason
    /// The instance's superstep counter at this boundary.
    public var superstep: Int
    /// When it was written, in seconds since 1970.
    public var time: Double
    /// What restoring it gives: in progress while messages are in flight, else idle or waiting for a person.
    public var status: InstanceStatus
    /// The shared state executors read and write (key → JSON).
    public var sharedState: JSONObject
    /// Snapshots of executors that have state (executor id → JSON).
    public var executorStates: JSONObject
    /// Fan-in buffers (edge id → one list of waiting values per source).
    public var edgeStates: JSONObject
    /// Messages waiting for delivery at this boundary.
    public var messages: [Message]
    /// Requests for a person that were open, oldest first.
    public var pendingRequests: [WorkflowRequest]
    /// Waits that were armed (due ones first, then waits on a signal only).
    public var waits: [WorkflowWait]
    /// Signals that arrived before any wait for them, oldest first.
    public var signals: [WorkflowSignal]
    /// Requests that timed out unanswered, with when (the newest few): a late answer is told so.
    public var timedOutRequests: [String: Double]
    /// The trace of the run this checkpoint belongs to, as W3C Trace Context carries it
    /// (`traceparent`): a run resumed from here after a restart goes on in that trace. Empty
    /// when tracing is off.
    public var trace: [String: String]

    /// Makes a checkpoint from its parts (an instance makes its own; a store reads them back).
    public init(id: String, parentID: String?, instance: String, workflowName: String, definitionHash: String, runID: String?,
                reason: Reason, superstep: Int, time: Double, status: InstanceStatus, sharedState: JSONObject,
                executorStates: JSONObject, edgeStates: JSONObject, messages: [Message], pendingRequests: [WorkflowRequest],
                waits: [WorkflowWait] = [], signals: [WorkflowSignal] = [], timedOutRequests: [String: Double] = [:],
                trace: [String: String] = [:]) {
        self.id = id
        self.parentID = parentID
        self.instance = instance
        self.workflowName = workflowName
        self.definitionHash = definitionHash
        self.runID = runID
        self.reason = reason
        self.superstep = superstep
        self.time = time
        self.status = status
        self.sharedState = sharedState
        self.executorStates = executorStates
        self.edgeStates = edgeStates
        self.messages = messages
        self.pendingRequests = pendingRequests
        self.waits = waits
        self.signals = signals
        self.timedOutRequests = timedOutRequests
        self.trace = trace
    }

    /// When the soonest of its waits is due (seconds since 1970); nil when none is on a time.
    public var soonestWait: Double? {
        var soonest: Double?
        for wait in waits {
            if let due = wait.due, due < (soonest ?? .infinity) { soonest = due }
        }
        return soonest
    }

    /// The summary ``CheckpointStore`` lists.
    public var summary: CheckpointSummary {
        CheckpointSummary(id: id, parentID: parentID, instance: instance, runID: runID, reason: reason, superstep: superstep,
                          time: time, status: status, openRequests: pendingRequests.count, messagesInFlight: messages.count)
    }
}

// MARK: - JSON

extension Checkpoint: JSONRepresentable {
    public var json: JSON {
        var json: JSONObject = [
            "id": .string(id), "parentId": parentID.map { .string($0) } ?? .null, "instance": .string(instance),
            "workflow": .string(workflowName), "definitionHash": .string(definitionHash),
            "runId": runID.map { .string($0) } ?? .null, "reason": .string(reason.rawValue),
            "superstep": .number(Double(superstep)), "time": .string(Timestamp.format(time)), "status": .string(status.rawValue),
            "sharedState": .object(sharedState), "executorStates": .object(executorStates), "edgeStates": .object(edgeStates),
            "messages": .array(messages.map { message in
                var object: JSONObject = ["source": .string(message.source), "target": .string(message.target), "payload": message.payload]
                if let request = message.request { object["request"] = request.json }
                if let wake = message.wake { object["wake"] = wake.json }
                return .object(object)
            }),
            "pendingRequests": .array(pendingRequests.map(\.json)),
            "version": 1,
        ]
        // Only when there are some: the checkpoints of workflows without waits stay as they were.
        if !waits.isEmpty { json["waits"] = .array(waits.map(\.json)) }
        if !signals.isEmpty { json["signals"] = .array(signals.map(\.json)) }
        if !timedOutRequests.isEmpty { json["timedOutRequests"] = .object(timedOutRequests.mapValues { .string(Timestamp.format($0)) }) }
        if !trace.isEmpty { json["trace"] = .object(trace.mapValues { .string($0) }) }
        return .object(json)
    }

    public init(json: JSON) throws {
        let r = try JSONReader(json, path: "checkpoint")
        let reasonName = try r.string("reason")
        guard let reason = Reason(rawValue: reasonName) else { throw JSONShapeError(path: r.field("reason"), "unknown reason '\(reasonName)'") }
        let statusName = try r.string("status")
        guard let status = InstanceStatus(rawValue: statusName) else { throw JSONShapeError(path: r.field("status"), "unknown status '\(statusName)'") }
        var messages: [Message] = []
        for (index, element) in try r.array("messages").enumerated() {
            let m = try JSONReader(element, path: "\(r.field("messages"))[\(index)]")
            messages.append(Message(source: try m.string("source"), target: try m.string("target"), payload: m.object["payload"] ?? .null,
                                    request: try m.object["request"].map { try WorkflowRequest(json: $0) },
                                    wake: try m.object["wake"].map { try WorkflowWake(json: $0) }))
        }
        self.init(id: try r.string("id"), parentID: try r.optionalString("parentId"), instance: try r.string("instance"),
                  workflowName: try r.string("workflow"), definitionHash: try r.string("definitionHash"),
                  runID: try r.optionalString("runId"), reason: reason, superstep: try r.counter("superstep"),
                  time: try Timestamp.parse(try r.string("time"), path: r.field("time")), status: status,
                  sharedState: try r.objectValue("sharedState"), executorStates: try r.objectValue("executorStates"),
                  edgeStates: try r.objectValue("edgeStates"), messages: messages,
                  pendingRequests: try r.array("pendingRequests").map { try WorkflowRequest(json: $0) },
                  waits: try (r.object["waits"] == nil ? [] : r.array("waits")).map { try WorkflowWait(json: $0) },
                  signals: try (r.object["signals"] == nil ? [] : r.array("signals")).map { try WorkflowSignal(json: $0) },
                  timedOutRequests: try (r.object["timedOutRequests"] == nil ? [:] : r.objectValue("timedOutRequests")).mapValues { value in
                      guard let text = value.stringValue else { throw JSONShapeError(path: r.field("timedOutRequests"), "times must be strings") }
                      return try Timestamp.parse(text, path: r.field("timedOutRequests"))
                  },
                  trace: try (r.object["trace"] == nil ? [:] : r.objectValue("trace")).mapValues { value in
                      guard let text = value.stringValue else { throw JSONShapeError(path: r.field("trace"), "trace fields must be strings") }
                      return text
                  })
    }
}
