import WorkflowJSON

extension InstanceMethods {
    /// `instance.graph`: what `wfctl graph` draws for an instance.
    public enum Graph: RPCMethod {
        public typealias Params = Target

        /// One executor invocation of a run.
        public struct Invocation: Codable, Sendable, Hashable {
            public var executor: String
            public var superstep: Int
            public init(executor: String, superstep: Int) {
                self.executor = executor
                self.superstep = superstep
            }
        }

        /// The run the picture highlights: the active one, else the last.
        public struct RunPath: Codable, Sendable, Hashable {
            public var runId: String
            public var status: RunStatusValue
            /// Its executor invocations in order (the last 2,000 of a long run).
            public var invocations: [Invocation]
            public init(runId: String, status: RunStatusValue, invocations: [Invocation]) {
                self.runId = runId
                self.status = status
                self.invocations = invocations
            }
        }

        public struct Result: Codable, Sendable, Hashable {
            /// The definition version the instance pins, with its document.
            public var definition: DefinitionInfo
            /// The documents of the sub-workflows it runs, by definition name.
            public var subDefinitions: [String: JSON]
            /// Executors holding messages not yet delivered, with how many.
            public var holding: [String: Int]
            /// Executors waiting on a person (an open request each).
            public var waiting: [String]
            public var status: InstanceStatusValue
            public var lastRun: RunPath?
            public init(definition: DefinitionInfo, subDefinitions: [String: JSON], holding: [String: Int], waiting: [String], status: InstanceStatusValue,
                        lastRun: RunPath?) {
                self.definition = definition
                self.subDefinitions = subDefinitions
                self.holding = holding
                self.waiting = waiting
                self.status = status
                self.lastRun = lastRun
            }
        }

        public static let name = "instance.graph"
        public static let summary = "The instance's workflow as a graph to draw: the definition version it pins (with its document and those of its sub-workflows), the executors holding messages, those waiting on a person, and the path of the active or last run."
        public static let params = [instanceParam]
        public static let result = Schema.of(Result.self, ["subDefinitions": ["type": "object", "additionalProperties": ["type": "object"]]])
        public static let errors: [RPCError.Code] = [.instanceNotFound, .definitionNotFound]
    }
}
