/// A new instance made by ``WorkflowInstance/fork(from:as:)``, and the run that continues the
/// checkpoint's work in flight, if it had any.
public struct ForkResult: Sendable {
    public let instance: WorkflowInstance
    public let run: RunHandle?
}
