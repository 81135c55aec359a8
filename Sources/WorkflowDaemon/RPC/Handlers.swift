import WorkflowProtocol

/// Every method the daemon serves, registered on one dispatcher.
enum Handlers {
    static func dispatcher() -> Dispatcher {
        var dispatcher = Dispatcher()
        registerDaemon(&dispatcher)
        registerDefinitions(&dispatcher)
        registerInstances(&dispatcher)
        registerRuns(&dispatcher)
        registerEvents(&dispatcher)
        registerRequests(&dispatcher)
        registerCheckpoints(&dispatcher)
        registerSchedules(&dispatcher)
        return dispatcher
    }
}
