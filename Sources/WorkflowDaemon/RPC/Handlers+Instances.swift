import WorkflowProtocol

extension Handlers {
    /// Instances, their runs, their requests for a person and their checkpoints: each method
    /// is one ``InstanceService`` operation on behalf of the connection's peer.
    static func registerInstances(_ dispatcher: inout Dispatcher) {
        dispatcher.register(InstanceMethods.Create.self, serving: InstanceService.create)
        dispatcher.register(InstanceMethods.List.self, serving: InstanceService.list)
        dispatcher.register(InstanceMethods.Get.self, serving: InstanceService.details)
        dispatcher.register(InstanceMethods.Delete.self, serving: InstanceService.delete)
        dispatcher.register(InstanceMethods.Reset.self, serving: InstanceService.reset)
        dispatcher.register(InstanceMethods.Rewind.self, serving: InstanceService.rewind)
        dispatcher.register(InstanceMethods.Fork.self, serving: InstanceService.fork)
        dispatcher.register(InstanceMethods.Graph.self, serving: InstanceService.graph)
        dispatcher.register(InstanceMethods.Signal.self, serving: InstanceService.signal)
        dispatcher.register(InstanceMethods.Pause.self, serving: InstanceService.pause)
        dispatcher.register(InstanceMethods.Resume.self, serving: InstanceService.resume)
    }

    static func registerRuns(_ dispatcher: inout Dispatcher) {
        dispatcher.register(RunMethods.Start.self, serving: InstanceService.startRun)
        dispatcher.register(RunMethods.Wait.self, serving: InstanceService.waitForRun)
        dispatcher.register(RunMethods.Get.self, serving: InstanceService.run)
        dispatcher.register(RunMethods.List.self, serving: InstanceService.runs)
        dispatcher.register(RunMethods.Cancel.self, serving: InstanceService.cancelRun)
        dispatcher.register(RunMethods.Retry.self, serving: InstanceService.retryRun)
    }

    static func registerRequests(_ dispatcher: inout Dispatcher) {
        dispatcher.register(RequestMethods.List.self, serving: InstanceService.requests)
        dispatcher.register(RequestMethods.Respond.self, serving: InstanceService.respond)
    }

    static func registerCheckpoints(_ dispatcher: inout Dispatcher) {
        dispatcher.register(CheckpointMethods.List.self, serving: InstanceService.checkpoints)
        dispatcher.register(CheckpointMethods.Get.self, serving: InstanceService.checkpoint)
        dispatcher.register(CheckpointMethods.Create.self, serving: InstanceService.createCheckpoint)
        dispatcher.register(CheckpointMethods.Delete.self, serving: InstanceService.deleteCheckpoint)
        dispatcher.register(CheckpointMethods.Prune.self, serving: InstanceService.prune)
    }
}
