/// A new instance made by ``WorkflowInstance/fork(from:as:)``, and the run that continues the
/// checkpoint's work in flight, if it had any.
public struct ForkResult: Sendable {
    /// The new instance (stored, if the original has a store).
    public let instance: WorkflowInstance
    /// The run that continues the checkpoint's messages in flight; nil if there were none.
    public let run: RunHandle?
}
