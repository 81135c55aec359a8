/// What changed in an instance between a checkpoint and its parent, as far as the instance knows:
/// the shared-state keys written, the executors that ran (their state may differ), the fan-in
/// edges whose buffers moved. Messages in flight and open requests are not listed: they are part
/// of every checkpoint.
///
/// It is a hint that lets a store write a checkpoint as its parent plus what changed (the SQLite
/// store keeps each large value once, and later checkpoints refer to it). ``everything`` is always
/// a correct answer: after a restore, a reset, a failed commit, or for a first checkpoint.
public struct CheckpointChanges: Sendable, Hashable {
    /// Everything may have changed: a store must write every part.
    public var isEverything: Bool
    /// Shared-state keys written since the parent.
    public var sharedKeys: Set<String>
    /// Executors that ran since the parent (their state may differ).
    public var executors: Set<String>
    /// Fan-in edges whose buffers changed since the parent.
    public var edges: Set<String>

    /// Makes a set of changes (empty by default).
    public init(isEverything: Bool = false, sharedKeys: Set<String> = [], executors: Set<String> = [], edges: Set<String> = []) {
        self.isEverything = isEverything
        self.sharedKeys = sharedKeys
        self.executors = executors
        self.edges = edges
    }

    /// Nothing is known to be unchanged.
    public static let everything = CheckpointChanges(isEverything: true)
    /// Nothing changed (yet).
    public static let nothing = CheckpointChanges()

    /// Whether the part `name` of `kind` may differ from the parent's.
    public func mayHaveChanged(_ kind: Checkpoint.Part, _ name: String) -> Bool {
        if isEverything { return true }
        switch kind {
        case .sharedState: return sharedKeys.contains(name)
        case .executorState: return executors.contains(name)
        case .edgeState: return edges.contains(name)
        }
    }
}

extension Checkpoint {
    /// The three maps of a checkpoint whose entries a store may keep apart (one value per entry).
    public enum Part: String, Sendable, Hashable, CaseIterable {
        /// Shared-state entries (key → value).
        case sharedState = "s"
        /// Executor snapshots (executor id → state).
        case executorState = "e"
        /// Fan-in buffers (edge id → waiting values).
        case edgeState = "f"

        /// The checkpoint's JSON field that holds this part's map.
        public var field: String {
            switch self {
            case .sharedState: "sharedState"
            case .executorState: "executorStates"
            case .edgeState: "edgeStates"
            }
        }
    }

    /// The map of one part.
    public func values(of part: Part) -> JSONObject {
        switch part {
        case .sharedState: sharedState
        case .executorState: executorStates
        case .edgeState: edgeStates
        }
    }
}
