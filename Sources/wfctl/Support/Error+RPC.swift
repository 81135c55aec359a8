import WorkflowClient
import WorkflowProtocol

extension Error {
    /// Whether this is the daemon's answer with error `code`.
    ///
    /// Used as `catch where error.isRPC(...)`: the release compiler (Swift 6.x, its
    /// CopyPropagation pass) crashes on `catch let error as WorkflowClientError where ...` in
    /// async functions.
    func isRPC(_ code: RPCError.Code) -> Bool {
        (self as? WorkflowClientError)?.rpcCode == code
    }
}
