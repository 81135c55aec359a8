import WorkflowEngine
import WorkflowStore

/// An instance in use by a request or a subscription: while any lease is held, the registry does
/// not evict it. Give it back with ``InstanceRegistry/release(_:)``.
struct InstanceLease: Sendable {
    let instance: WorkflowInstance
    let record: InstanceRecord

    var name: String { record.name }
}
