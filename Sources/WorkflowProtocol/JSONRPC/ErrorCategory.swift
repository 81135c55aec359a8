/// What kind of failure an error code reports, for whoever must act on it: the caller fixes its
/// input, looks elsewhere, waits, asks for access, or an operator looks at the daemon. Every code
/// has one (``RPCError/Code/table``); the daemon answers by it and wfctl turns it into its exit
/// status, from the same table.
public enum ErrorCategory: String, Sendable, Hashable, CaseIterable {
    /// The request or its input is wrong (params, a response that fails its schema, a broken
    /// definition, a limit): the same request fails again.
    case invalidInput
    /// What the request names does not exist (or is not the caller's to see).
    case notFound
    /// The instance cannot take this now (busy, the name is taken, the checkpoint does not fit,
    /// the instance is broken until a reset or rewind).
    case conflict
    /// The caller may not do this.
    case permissionDenied
    /// The daemon is not taking work (it is stopping).
    case unavailable
    /// The daemon's storage failed: nothing of the request was accepted; try again once the
    /// disk or the database is back.
    case storeFailure
    /// Anything else: a bug or a protocol error.
    case internalFailure
}
