import WorkflowEngine

/// A thrown error as a ``WorkflowError``, or nil: a test whose error has another type fails its
/// expectation instead of crashing the runner (as `as!` would).
public func workflowError(_ error: any Error) -> WorkflowError? { error as? WorkflowError }
