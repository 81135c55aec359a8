import WorkflowJSON

/// `checkpoint.*`: an instance's checkpoints. A label works wherever an id does.
public enum CheckpointMethods {
    static let instanceParam = InstanceMethods.instanceParam
    static let checkpointParam = RPCParam("checkpointId", "A checkpoint id or label.")

    /// `{instance, checkpointId}`
    public struct Target: Codable, Sendable, Hashable {
        public var instance: String
        public var checkpointId: String
        public init(instance: String, checkpointId: String) {
            self.instance = instance
            self.checkpointId = checkpointId
        }
    }

    /// `checkpoint.list`
    public enum List: RPCMethod {
        public typealias Params = InstanceMethods.Target
        public struct Result: Codable, Sendable, Hashable {
            public var checkpoints: [CheckpointInfo]
            public init(checkpoints: [CheckpointInfo]) { self.checkpoints = checkpoints }
        }
        public static let name = "checkpoint.list"
        public static let summary = "The instance's checkpoints, oldest first, with their labels; the head is marked."
        public static let params = [instanceParam]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound]
    }

    /// `checkpoint.get`
    public enum Get: RPCMethod {
        public typealias Params = Target
        public struct Result: Codable, Sendable, Hashable {
            public var info: CheckpointInfo
            /// The whole snapshot (shared, executor and edge state, messages in flight, open requests).
            public var checkpoint: JSON
            public init(info: CheckpointInfo, checkpoint: JSON) {
                self.info = info
                self.checkpoint = checkpoint
            }
        }
        public static let name = "checkpoint.get"
        public static let summary = "One checkpoint with its whole snapshot (plain JSON)."
        public static let params = [instanceParam, checkpointParam]
        public static let result = Schema.of(Result.self, ["checkpoint": ["type": "object"]])
        public static let errors: [RPCError.Code] = [.instanceNotFound, .checkpointNotFound]
    }

    /// `checkpoint.create`
    public enum Create: RPCMethod {
        public struct Params: Codable, Sendable, Hashable {
            public var instance: String
            public var label: String?
            public init(instance: String, label: String? = nil) {
                self.instance = instance
                self.label = label
            }
        }
        public typealias Result = CheckpointInfo
        public static let name = "checkpoint.create"
        public static let summary = "Takes a checkpoint now: of the idle state, or at the next superstep boundary of a running instance. A label names it (wherever an id works) and retention keeps it while it is labelled."
        public static let params = [instanceParam, RPCParam("label", "A name for it, unique in the instance.", ["type": "string", "minLength": 1, "maxLength": 128])]
        public static let result = Schema.ref("CheckpointInfo")
        public static let errors: [RPCError.Code] = [.instanceNotFound, .instanceBusy]
    }

    /// `checkpoint.delete`
    public enum Delete: RPCMethod {
        public typealias Params = Target
        public struct Result: Codable, Sendable, Hashable {
            public var deleted: Bool
            public init(deleted: Bool) { self.deleted = deleted }
        }
        public static let name = "checkpoint.delete"
        public static let summary = "Deletes a checkpoint (not the lineage head)."
        public static let params = [instanceParam, checkpointParam]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound, .checkpointNotFound]
    }

    /// `checkpoint.prune`
    public enum Prune: RPCMethod {
        public typealias Params = InstanceMethods.Target
        public struct Result: Codable, Sendable, Hashable {
            public var deleted: Int
            public init(deleted: Int) { self.deleted = deleted }
        }
        public static let name = "checkpoint.prune"
        public static let summary = "Applies retention now: keeps the newest N, the head, branch tips, labelled checkpoints and the newest N with open requests."
        public static let params = [instanceParam]
        public static let result = Schema.of(Result.self)
        public static let errors: [RPCError.Code] = [.instanceNotFound]
    }
}
