/// What a run's superstep loop does next, decided from what it sees at each point: before a
/// superstep (the store's standing, a stop asked for, the task cancelled, work in flight, the
/// superstep budget) and after one (the same, as they stand once it ran). The instance performs
/// the answer; the order of the checks lives here once, and is tested without a workflow
/// (`RunProgressTests`).
struct RunProgress: Sendable {
    /// The run's superstep budget (``Workflow/maxSupersteps``).
    let limit: Int
    /// Supersteps this run has begun.
    private(set) var used = 0

    /// A run with `limit` supersteps to converge in.
    init(limit: Int) {
        self.limit = limit
    }

    /// What to do at a boundary, before the next superstep.
    enum Next: Sendable {
        /// A commit failed: the run ends failed with it.
        case fail(WorkflowError)
        /// The process stops: the run stops without ending and resumes on recovery.
        case suspend
        /// A cancel (or the task's cancellation): the run ends cancelled.
        case cancel
        /// Nothing is in flight: the run converges.
        case converge
        /// Work is in flight but the budget is spent: the run fails with `superstepLimitExceeded`.
        case exceedLimit
        /// The run took longer than its `runTimeout`: it fails, saying so.
        case timeOut
        /// Run superstep number `used` of this run.
        case runSuperstep
    }

    /// Decides the boundary. In this order: a failed commit ends the run whatever else holds, a
    /// stop before a cancellation of the task, convergence before the budget (a run that used
    /// exactly its budget and has nothing left converges), and before its time bound (a run that
    /// is done is done).
    mutating func atBoundary(storeFailure: WorkflowError?, stop: RunLifecycle.ActiveRun.Stop?, taskCancelled: Bool,
                             workInFlight: Bool, timedOut: Bool = false) -> Next {
        if let storeFailure { return .fail(storeFailure) }
        if let stop { return stop.suspendsRun ? .suspend : .cancel }
        if taskCancelled { return .cancel }
        if !workInFlight { return .converge }
        if timedOut { return .timeOut }
        if used >= limit { return .exceedLimit }
        used += 1
        return .runSuperstep
    }

    /// What to do once a superstep ran.
    enum AfterSuperstep: Sendable {
        /// A commit failed while it ran: the run ends failed with it; the superstep is discarded.
        case fail(WorkflowError)
        /// The process stops now: the run stops without ending; the superstep is discarded.
        case suspend
        /// A graceful stop (drain) asked for while it ran: it lands, and the run stops without
        /// ending at the next boundary.
        case landThenSuspend
        /// A cancel while it ran: the superstep is discarded and the run ends cancelled.
        case cancel
        /// The run's time ran out while it ran: the superstep is discarded and the run fails.
        case timeOut
        /// Nothing stops it: record its outcome (a failed executor, or the results to apply).
        case record
    }

    /// Decides after a superstep, from what holds once it ran.
    /// A stop asked for decides before the time bound (a suspended run resumes after the
    /// restart with its bound counted anew).
    static func afterSuperstep(storeFailure: WorkflowError?, stop: RunLifecycle.ActiveRun.Stop?, taskCancelled: Bool,
                               timedOut: Bool = false) -> AfterSuperstep {
        if let storeFailure { return .fail(storeFailure) }
        switch stop {
        case .suspend: return .suspend
        case .cancel, .cancelForReset: return .cancel
        case .drain: return taskCancelled ? .cancel : .landThenSuspend
        case nil:
            if timedOut { return .timeOut }
            return taskCancelled ? .cancel : .record
        }
    }
}
