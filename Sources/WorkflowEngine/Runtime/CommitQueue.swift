/// The commits of one instance, as a value that does no I/O: batches built on the actor wait
/// here, one group at a time goes to the store, and what was committed last is remembered (the
/// durable point that the instance returns to when a commit fails).
///
/// - A burst of fast supersteps shares one transaction (group commit): their batches are
///   *deferred* until 16 wait or the first has waited 2 ms, or until any other commit carries
///   them along. Each superstep is still wholly in or out.
/// - When a group fails, everything built on it fails too: the group and whatever waits behind
///   it. Only a *retained* batch at the front (the end of a run: its status, which depends on no
///   checkpoint) stays, to be carried by the next commit, so that the end of a run is never
///   dropped while the events before it are stored.
struct CommitQueue {
    /// What an instance returns to: a fresh state (after a reset) or a checkpoint.
    enum Base {
        case fresh
        case checkpoint(Checkpoint)

        var checkpointID: String? {
            if case .checkpoint(let checkpoint) = self { return checkpoint.id }
            return nil
        }
    }

    /// How a batch's commit went, for whoever waits on it (actor-confined).
    final class Ticket {
        var outcome: Result<Void, WorkflowError>?
    }

    struct Entry {
        var batch: StoreBatch
        var ticket: Ticket
        /// Kept for the next commit if its group fails (only at the front of the queue).
        var retained: Bool
        /// What the instance returns to once this batch is committed (a checkpoint, a reset, a
        /// rewind), nil if it changes nothing of that.
        var establishes: Base?
        /// What subscribers get once the batch is committed, when that is more than its events
        /// (live-only events among them, which the store never sees).
        var delivery: [WorkflowEvent]?
    }

    static let maximumDeferredBatches = 16
    static let maximumDeferral: Double = 0.002

    private(set) var waiting: [Entry] = []
    private(set) var committing = false
    private var deferredSince: Double?

    /// The state, next seq and status as last committed.
    private(set) var durableBase: Base
    private(set) var durableNextSeq: UInt64
    private(set) var durableStatus: InstanceStatus

    init(base: Base, nextSeq: UInt64, status: InstanceStatus) {
        durableBase = base
        durableNextSeq = nextSeq
        durableStatus = status
    }

    var isEmpty: Bool { waiting.isEmpty }

    /// Adds a batch; `deferred` ones may wait for a later commit.
    mutating func append(_ batch: StoreBatch, retained: Bool = false, establishes: Base? = nil, deferred: Bool = false,
                         now: Double, delivery: [WorkflowEvent]? = nil) -> Ticket {
        let ticket = Ticket()
        if deferred && deferredSince == nil { deferredSince = now }
        waiting.append(Entry(batch: batch, ticket: ticket, retained: retained, establishes: establishes, delivery: delivery))
        return ticket
    }

    /// Live-only events that follow what is being committed: delivered after it (after the last
    /// waiting batch, or after the group in the store), never before, or a subscriber would take
    /// their seq for the newest and skip the logged events before them.
    mutating func appendDelivery(_ live: [WorkflowEvent]) {
        if let last = waiting.indices.last {
            waiting[last].delivery = (waiting[last].delivery ?? waiting[last].batch.events) + live
        } else if committing {
            liveAfterGroup += live
        }
    }

    /// Live-only events that follow the group being committed (see ``appendDelivery(_:)``).
    var liveAfterGroup: [WorkflowEvent] = []

    /// Whether nothing waits and nothing is being committed: live events can go at once.
    var isIdle: Bool { waiting.isEmpty && !committing }

    /// Whether waiting deferred batches must go now (16 of them, or the first waited 2 ms).
    func mustCommit(now: Double) -> Bool {
        guard let since = deferredSince else { return !waiting.isEmpty }
        return waiting.count >= Self.maximumDeferredBatches || now - since >= Self.maximumDeferral
    }

    /// Takes every waiting batch for one commit (nil while another commit is going on).
    mutating func takeGroup() -> [Entry]? {
        guard !committing, !waiting.isEmpty else { return nil }
        committing = true
        deferredSince = nil
        defer { waiting = [] }
        return waiting
    }

    /// The group is in the store: the durable point moves on.
    mutating func committed(_ group: [Entry]) {
        committing = false
        // (liveAfterGroup is taken by the instance, which delivers it after the group.)
        for entry in group {
            if let base = entry.establishes { durableBase = base }
            if let last = entry.batch.events.last { durableNextSeq = last.seq + 1 }
            if let status = entry.batch.status { durableStatus = status }
            entry.ticket.outcome = .success(())
        }
    }

    /// The group failed: it fails, and so does every batch waiting behind it (built on it), but
    /// for the retained batches at the front of the group, which wait for the next commit.
    mutating func failed(_ group: [Entry], _ error: WorkflowError) {
        committing = false
        liveAfterGroup = []  // they followed what the store did not take
        var kept: [Entry] = []
        var keeping = true
        for entry in group + waiting {
            entry.ticket.outcome = .failure(error)
            if keeping && entry.retained {
                kept.append(Entry(batch: entry.batch, ticket: Ticket(), retained: true, establishes: entry.establishes))
            } else {
                keeping = false
            }
        }
        waiting = kept
        deferredSince = nil
    }

    /// The seq that follows what is committed or kept for the next commit.
    var nextSeqAfterKept: UInt64 {
        waiting.last(where: { !$0.batch.events.isEmpty })?.batch.events.last.map { $0.seq + 1 } ?? durableNextSeq
    }

    /// The status as committed, or as the kept batches will set it.
    var statusAfterKept: InstanceStatus {
        waiting.last(where: { $0.batch.status != nil })?.batch.status ?? durableStatus
    }
}
