import WorkflowJSON

/// An error a server may show its client as it is. Any other error becomes an internal error
/// (the server logs it), so nothing private leaks by accident.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
