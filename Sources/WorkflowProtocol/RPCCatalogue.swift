import WorkflowJSON

/// Every method and notification of the protocol, and the OpenRPC 1.3 document made from them
/// (what `rpc.discover` answers and `Contrib/openrpc.json` holds).
public enum RPCCatalogue {
    /// The protocol's version.
    public static let version = "1.0.0"

    public static let methods: [any RPCMethod.Type] = [
        DaemonMethods.Ping.self, DaemonMethods.Status.self, DaemonMethods.Metrics.self, DaemonMethods.Reload.self, DaemonMethods.Discover.self,
        DefinitionMethods.List.self, DefinitionMethods.Get.self, DefinitionMethods.Validate.self,
        InstanceMethods.Create.self, InstanceMethods.List.self, InstanceMethods.Get.self, InstanceMethods.Delete.self,
        InstanceMethods.Reset.self, InstanceMethods.Rewind.self, InstanceMethods.Fork.self, InstanceMethods.Graph.self,
        InstanceMethods.Signal.self, InstanceMethods.Pause.self, InstanceMethods.Resume.self,
        RunMethods.Start.self, RunMethods.Wait.self, RunMethods.Get.self, RunMethods.List.self, RunMethods.Cancel.self,
        RunMethods.Retry.self,
        EventMethods.Subscribe.self, EventMethods.Unsubscribe.self, EventMethods.Read.self,
        RequestMethods.List.self, RequestMethods.Respond.self,
        CheckpointMethods.List.self, CheckpointMethods.Get.self, CheckpointMethods.Create.self, CheckpointMethods.Delete.self,
        CheckpointMethods.Prune.self,
        ScheduleMethods.Create.self, ScheduleMethods.List.self, ScheduleMethods.Get.self, ScheduleMethods.Pause.self,
        ScheduleMethods.Resume.self, ScheduleMethods.Delete.self, ScheduleMethods.Trigger.self, ScheduleMethods.Backfill.self,
    ]

    public static let notifications: [any RPCNotification.Type] = [
        EventMethods.Event.self, EventMethods.Overflow.self, EventMethods.Closed.self,
    ]

    /// The event types (docs/semantics.md §3.6, plus `custom` and `instance_forked`).
    public static let eventTypes = EventType.allCases.map(\.rawValue)

    /// Shared schemas, referred to as `#/components/schemas/<name>`.
    public static let components: JSONObject = [
        "InstanceInfo": InstanceInfo.schema,
        "RunInfo": RunInfo.schema,
        "RequestInfo": RequestInfo.schema,
        "WaitInfo": WaitInfo.schema,
        "ScheduleInfo": ScheduleInfo.schema,
        "CheckpointInfo": CheckpointInfo.schema,
        "DefinitionInfo": DefinitionInfo.schema,
        "DefinitionProblem": DefinitionProblem.schema,
        "WorkflowError": Schema.object(["code": Schema.string, "message": Schema.string, "details": Schema.any, "cause": Schema.string],
                                       required: ["code", "message"]),
        "Event": [
            "type": "object", "required": ["seq", "time", "instance", "type"], "additionalProperties": true,
            "properties": [
                "seq": ["type": "integer", "minimum": 1], "time": Schema.time, "instance": Schema.string, "runId": Schema.string,
                "type": .object(["type": "string", "enum": .array(eventTypes.map { .string($0) })]),
                // llm_delta: sent to live subscribers only, never logged; its seq is the logged
                // event's before it (a resume after it misses nothing logged).
                "live": ["type": "boolean", "description": "Only on live-only events (llm_delta): not in the log; seq is that of the logged event before it."],
            ],
        ],
    ]

    /// The OpenRPC 1.3 document of the whole protocol.
    public static let openRPC: JSON = {
        var methods: [JSON] = []
        for method in Self.methods {
            let errors = method.errors.map { code -> JSON in
                ["code": .number(Double(code.rawValue)), "message": .string(RPCError.Code.all.first { $0.0 == code }?.1 ?? "Error")]
            }
            methods.append([
                "name": .string(method.name), "summary": .string(method.summary), "paramStructure": "by-name",
                "params": .array(method.params.map { param in
                    ["name": .string(param.name), "summary": .string(param.summary), "required": .bool(method.isRequired(param.name)), "schema": method.schema(of: param)]
                }),
                "result": ["name": .string(method.name.replacingDots() + "Result"), "schema": method.result],
                "errors": .array(errors),
            ])
        }
        var notifications: [JSON] = []
        for notification in Self.notifications {
            notifications.append(["name": .string(notification.name), "summary": .string(notification.summary), "params": notification.params])
        }
        var errors: [JSON] = []
        for (code, message) in RPCError.Code.all {
            errors.append(["code": .number(Double(code.rawValue)), "message": .string(message)])
        }
        return [
            "openrpc": "1.3.2",
            "info": [
                "title": "workflowd", "version": .string(version),
                "description": "JSON-RPC 2.0 over a Unix stream socket, one message per line (NDJSON), for named, reusable workflow instances: background runs, live and resumable events, requests answered while a run goes on, reset, rewind, fork. Batches and notifications follow the specification. Every error's data names what it is about (the instance, the limit, the schema path).",
            ],
            "methods": .array(methods),
            "components": ["schemas": .object(components)],
            "x-notifications": .array(notifications),
            "x-errors": .array(errors),
        ]
    }()
}

extension String {
    /// `run.start` → `runStart` (for result names).
    func replacingDots() -> String {
        var result = ""
        var upper = false
        for character in self {
            if character == "." {
                upper = true
            } else {
                result.append(upper ? Character(character.uppercased()) : character)
                upper = false
            }
        }
        return result
    }
}
