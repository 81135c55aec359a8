import WorkflowEngine

/// One instance as the store gives it back after a restart or a crash: its record (definition,
/// owner, policy) and what the engine rebuilds it from
/// (``WorkflowInstance/init(recovering:workflow:configuration:)``).
public struct RecoveredInstance: Sendable {
    public var record: InstanceRecord
    public var recovery: InstanceRecovery

    public init(record: InstanceRecord, recovery: InstanceRecovery) {
        self.record = record
        self.recovery = recovery
    }
}
