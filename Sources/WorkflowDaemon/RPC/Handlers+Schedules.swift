import WorkflowProtocol

extension Handlers {
    /// `schedule.*`: each one call of the schedule service on behalf of the peer.
    static func registerSchedules(_ dispatcher: inout Dispatcher) {
        dispatcher.register(ScheduleMethods.Create.self) { params, context in try await context.schedules.create(params, by: context.peer) }
        dispatcher.register(ScheduleMethods.List.self) { params, context in try await context.schedules.list(params, by: context.peer) }
        dispatcher.register(ScheduleMethods.Get.self) { params, context in try await context.schedules.get(params, by: context.peer) }
        dispatcher.register(ScheduleMethods.Pause.self) { params, context in try await context.schedules.pause(params, by: context.peer) }
        dispatcher.register(ScheduleMethods.Resume.self) { params, context in try await context.schedules.resume(params, by: context.peer) }
        dispatcher.register(ScheduleMethods.Delete.self) { params, context in try await context.schedules.delete(params, by: context.peer) }
        dispatcher.register(ScheduleMethods.Trigger.self) { params, context in try await context.schedules.trigger(params, by: context.peer) }
        dispatcher.register(ScheduleMethods.Backfill.self) { params, context in try await context.schedules.backfill(params, by: context.peer) }
    }
}
