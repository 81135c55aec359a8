import WorkflowProtocol

/// Every method the daemon serves, registered on one dispatcher.
enum Handlers {
    static func dispatcher() -> Dispatcher {
        var dispatcher = Dispatcher()
        registerDaemon(&dispatcher)
        registerDefinitions(&dispatcher)
        registerInstances(&dispatcher)
        registerGraph(&dispatcher)
        registerRuns(&dispatcher)
        registerEvents(&dispatcher)
        registerRequests(&dispatcher)
        registerCheckpoints(&dispatcher)
        return dispatcher
    }
}

extension Handlers {
    /// A page size as the method's schema allows it: `fallback` when absent, else within
    /// 1…`maximum`, or invalid params naming the bounds (a larger page is never cut silently).
    static func pageLimit(_ limit: Int?, default fallback: Int, maximum: Int) throws -> Int {
        guard let limit else { return fallback }
        guard (1...maximum).contains(limit) else {
            throw RPCError.invalidParams("params.limit: must be between 1 and \(maximum), not \(limit)", path: "params.limit")
        }
        return limit
    }
}
