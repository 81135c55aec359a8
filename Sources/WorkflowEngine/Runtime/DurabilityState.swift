/// Where an instance stands with its store, as one value the instance actor holds: in step (what
/// it holds is committed, or queued to be), ahead of the store after a failed commit (until it
/// returns to its last committed point), or broken (it could not return). With it, which run's
/// start still waits for a commit and which run's start a failed commit lost. The instance
/// tells it every commit's outcome and asks it before each act; each method says what follows.
/// It does no I/O (`DurabilityStateTests`).
///
/// ```
///           commitFailed                 returnFailed
///  inStep ───────────────▶ ahead(error) ──────────────▶ broken(reason)
///    ▲                          │                           │
///    └──── returnBegins ────────┘                           │
///    └──────────────────── stateReplaced (reset, rewind) ◀──┘
/// ```
struct DurabilityState: Sendable {
    /// The instance against its store.
    enum Phase: Sendable {
        /// Everything the instance holds is committed or waits in its commit queue.
        case inStep
        /// A commit failed: the instance holds what the store never got, and nothing more is
        /// committed until it returns to its last committed checkpoint (the active run does so
        /// at its next boundary; without one it happens at once).
        case ahead(WorkflowError)
        /// It could not return to its last committed checkpoint: it takes no new work until a
        /// rewind or a reset gives it a state again.
        case broken(WorkflowError)
    }

    /// The phase now.
    private(set) var phase: Phase = .inStep
    /// A run whose start waits in a batch not yet committed (a start that did not wait for its
    /// commit); confirmed by the next successful commit.
    private(set) var unconfirmedStart: String?
    /// A run whose start was in a commit that failed: the store never had it, so it ends failed
    /// with that cause and nothing of it is recorded.
    private(set) var lostStart: (runID: String, error: WorkflowError)?

    /// The failed commit the instance has not returned from yet.
    var failure: WorkflowError? {
        if case .ahead(let error) = phase { return error }
        return nil
    }

    /// Why the instance takes no new work, if it is broken.
    var brokenReason: WorkflowError? {
        if case .broken(let reason) = phase { return reason }
        return nil
    }

    // MARK: Questions

    /// New work (a run, a response, a manual checkpoint) is taken unless the instance is broken.
    /// - Throws: the reason it is broken (`instanceBroken`).
    func admitWork() throws {
        if let brokenReason { throw brokenReason }
    }

    /// A batch may be committed only in step: after a failed commit, what the instance holds
    /// came after what the store never got.
    /// - Throws: `storeFailed` of its own (the earlier failure was another caller's answer),
    ///   naming the earlier failure as its cause.
    func admitCommit(instance: String) throws {
        guard let failure else { return }
        throw WorkflowError(.storeFailed, "instance '\(instance)': not committed: an earlier commit failed and the instance has not yet "
                            + "returned to its last committed checkpoint (the active run does so at the end of its superstep); "
                            + "the earlier failure: \(failure.message)",
                            details: ["instance": .string(instance)], cause: failure)
    }

    // MARK: Commits

    /// A run's start goes into a batch that is not committed at once.
    mutating func startAwaitsCommit(runID: String) {
        unconfirmedStart = runID
    }

    /// A commit succeeded: a start that waited for it is recorded.
    mutating func commitSucceeded() {
        unconfirmedStart = nil
    }

    /// What to do after a failed commit.
    enum FailureAction: Sendable, Equatable {
        /// No run is active: return to the last committed checkpoint now.
        case returnNow
        /// The active run returns at its next boundary (its superstep may still be going on).
        case returnAtRunBoundary
    }

    /// A commit failed: the instance is ahead of its store; a start that waited for this commit
    /// is lost.
    mutating func commitFailed(_ error: WorkflowError, runActive: Bool) -> FailureAction {
        phase = .ahead(error)
        if let runID = unconfirmedStart {
            lostStart = (runID, error)
            unconfirmedStart = nil
        }
        return runActive ? .returnAtRunBoundary : .returnNow
    }

    /// What to do when the instance would return to its durable point.
    enum ReturnAction: Sendable, Equatable {
        /// Put back the last committed state (then ``returnFailed(_:)`` if that fails).
        case restore
        /// It is not ahead of its store (it returned already): nothing to do.
        case none
    }

    /// The instance returns to its last committed checkpoint: from here it is in step again,
    /// unless ``returnFailed(_:)`` follows.
    mutating func returnBegins() -> ReturnAction {
        guard case .ahead = phase else { return .none }
        phase = .inStep
        return .restore
    }

    /// The last committed state could not be put back (an executor could not restore its
    /// snapshot): the instance is broken for `reason`.
    mutating func returnFailed(_ reason: WorkflowError) {
        phase = .broken(reason)
    }

    /// An operation whose own commit failed restored what it had changed itself (a reset,
    /// rewind, recovery or run start that changed nothing in the end): the failure is settled.
    mutating func failedCommitUndone() {
        if case .ahead = phase { phase = .inStep }
    }

    /// A run's start did not happen (its commit failed, or it was refused): nothing of it
    /// waits or is lost any more, and the instance is as it was.
    mutating func startAbandoned(runID: String) {
        if unconfirmedStart == runID { unconfirmedStart = nil }
        if lostStart?.runID == runID { lostStart = nil }
        failedCommitUndone()
    }

    /// Whether run `runID`'s start was lost, and why; once asked, it is forgotten.
    mutating func takeLostStart(runID: String) -> WorkflowError? {
        guard let lost = lostStart, lost.runID == runID else { return nil }
        lostStart = nil
        return lost.error
    }

    /// A reset or a rewind committed a state of its own: a broken instance works again.
    mutating func stateReplaced() {
        if case .broken = phase { phase = .inStep }
    }
}
