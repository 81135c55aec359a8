import Testing
@testable import WorkflowEngine

/// Every interleaving, up to a depth, of what can happen to one instance: requests from outside
/// (start, respond, cancel, reset with and without cancel, rewind, a graceful or immediate stop)
/// and the steps of the active run (its start committed, a superstep boundary, deciding to
/// converge, its end committed, a reset's commit). The run's steps are played the way
/// `WorkflowInstance` plays them (`driveRun`, `convergeRun`, `endRun`, `finishRun`,
/// `finishMaintenance`); every decision comes from ``RunLifecycle``. After every step the
/// invariants hold, and from every state reached, letting the runs finish delivers every accepted
/// response (or a reset cleared it, or the process stopped with it in the store).
@Suite("Run lifecycle: every interleaving up to a depth")
struct RunLifecycleInterleavingTests {
    /// What the instance actor is doing with the active run (the lifecycle says which run).
    enum Driver: Hashable {
        /// `beginRun`: the start's commit is awaited.
        case beginning
        /// `driveRun`: between or inside supersteps.
        case working
        /// `convergeRun`, `endRun` or `suspendRun`: the end's commit is awaited.
        case ending
    }

    enum Step: CaseIterable {
        case start, respond, cancel, reset, resetWithCancel, rewind, drain, close
        case beginCommitted, superstep, converge, endCommitted, maintenanceCommitted, maintenanceFailed

        var isRunStep: Bool {
            switch self {
            case .beginCommitted, .superstep, .converge, .endCommitted, .maintenanceCommitted, .maintenanceFailed: true
            default: false
            }
        }
    }

    struct World {
        var lifecycle = RunLifecycle(policy: .queue, queueLimit: 2)
        var driver: Driver?
        /// A maintenance operation is between its request and its commit.
        var maintaining: RunLifecycle.Maintenance?
        /// A reset with cancel waits for the run to hand over.
        var resetWaiting = false
        var accepted: [String] = []
        var delivered: Set<String> = []
        var cleared: Set<String> = []
        /// Responses a cancelled run kept with the rest of its work in flight.
        var kept: Set<String> = []
        var ended: Set<String> = []
        var started: [String] = []
        var counter = 0
        var trace: [String] = []

        mutating func fresh(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)\(counter)"
        }

        /// Whether `step` can happen now (run steps need a run in the right place).
        func allows(_ step: Step) -> Bool {
            switch step {
            case .beginCommitted: driver == .beginning
            case .superstep, .converge: driver == .working
            case .endCommitted: driver == .ending
            case .maintenanceCommitted, .maintenanceFailed: maintaining != nil && !resetWaiting
            default: true
            }
        }

        mutating func play(_ step: Step) throws {
            trace.append("\(step)")
            switch step {
            case .start:
                let id = fresh("r")
                if case .start = lifecycle.startRequested(runID: id, input: .null, idempotencyKey: nil, now: 0) { begin(id) }
            case .respond:
                let id = fresh("q")
                let continuation = fresh("c")
                switch lifecycle.responseAccepted(delivery(id), continuationRunID: continuation) {
                case .startContinuation(let runID):
                    accepted.append(id)
                    begin(runID)
                case .deliverToActiveRun, .deliverAfterActiveRun, .holdForResume:
                    accepted.append(id)
                case .reject:
                    break
                }
            case .cancel:
                _ = lifecycle.cancelRequested()
            case .reset, .resetWithCancel:
                switch lifecycle.maintenanceRequested(.reset, cancelRunning: step == .resetWithCancel) {
                case .proceed: maintaining = .reset
                case .cancelThenProceed:
                    maintaining = .reset
                    resetWaiting = true
                case .reject: break
                }
            case .rewind:
                if case .proceed = lifecycle.maintenanceRequested(.rewind, cancelRunning: false) { maintaining = .rewind }
            case .drain:
                _ = lifecycle.drain()
            case .close:
                _ = lifecycle.suspend()
            case .beginCommitted:
                driver = .working
            case .superstep, .converge:
                // driveRun's boundary: a stop first, then the inbox, then convergence.
                guard let runID = lifecycle.activeRunID else { throw Failure("a run step without an active run") }
                if lifecycle.stopRequest != nil {
                    kept.formUnion(lifecycle.runEnding(runID: runID).compactMap { $0.request?.id })
                    driver = .ending
                    return
                }
                let taken = lifecycle.takeInbox().compactMap { $0.request?.id }
                delivered.formUnion(taken)
                if step == .converge && taken.isEmpty {
                    let untaken = lifecycle.runEnding(runID: runID)
                    if !untaken.isEmpty { throw Failure("a converging run left responses untaken: \(untaken.count)") }
                    driver = .ending
                }
            case .endCommitted:
                guard let runID = lifecycle.activeRunID else { throw Failure("an end without an active run") }
                driver = nil
                ended.insert(runID)
                let continuation = fresh("c")
                switch lifecycle.runFinished(runID: runID, continuationRunID: continuation) {
                case .becomeIdle, .close: break
                case .handOverToMaintenance: resetWaiting = false
                case .start(let next): begin(next)
                }
            case .maintenanceCommitted, .maintenanceFailed:
                let succeeded = step == .maintenanceCommitted
                let operation = maintaining
                maintaining = nil
                if succeeded && operation == .reset { cleared.formUnion(lifecycle.waitingResponses.compactMap { $0.request?.id }) }
                // A rewind whose checkpoint has work in flight goes straight into a run.
                let continuing = succeeded && operation == .rewind ? fresh("w") : nil
                let continuation = fresh("c")
                let end = lifecycle.maintenanceFinished(resetSucceeded: succeeded && operation == .reset, startingRun: continuing,
                                                        continuationRunID: continuation)
                if let continuing, lifecycle.activeRunID == continuing { begin(continuing) }
                if let next = end.next { begin(next) }
            }
        }

        mutating func begin(_ next: RunLifecycle.NextRun) {
            switch next {
            case .continuation(let runID): begin(runID)
            case .queued(let run): begin(run.runID)
            }
        }

        mutating func begin(_ runID: String) {
            started.append(runID)
            driver = .beginning
        }

        /// What must hold after every step.
        func check() throws {
            let active = lifecycle.activeRunID
            if lifecycle.state == .idle && !lifecycle.waitingResponses.isEmpty {
                throw Failure("idle with responses (\(lifecycle.waitingResponses.count)) that no run will deliver")
            }
            if (active != nil) != (driver != nil) {
                throw Failure("the lifecycle's active run (\(active ?? "none")) and the actor's (\(driver.map { "\($0)" } ?? "none")) disagree")
            }
            if let active, ended.contains(active) { throw Failure("run \(active) is both ended and active") }
            if Set(started).count != started.count { throw Failure("a run id was started twice: \(started)") }
            if lifecycle.promisedContinuation != nil && lifecycle.afterRun.isEmpty {
                throw Failure("a continuation is promised with nothing to deliver")
            }
            for id in delivered where cleared.contains(id) || kept.contains(id) {
                throw Failure("response \(id) was delivered and also cleared or kept")
            }
        }

        /// Lets the active run and any maintenance go on without anything from outside, until
        /// nothing moves; then every accepted response must be delivered, cleared by a reset, or
        /// waiting in the store of a stopped instance.
        func settles() throws {
            var world = self
            var moves = 0
            while moves < 100 {
                guard let step = [Step.beginCommitted, .converge, .endCommitted, .maintenanceCommitted].first(where: world.allows) else { break }
                try world.play(step)
                try world.check()
                moves += 1
            }
            if moves == 100 { throw Failure("the runs never settle") }
            let waiting = Set(world.lifecycle.waitingResponses.compactMap { $0.request?.id })
            for id in world.accepted where !world.delivered.contains(id) && !world.cleared.contains(id) && !world.kept.contains(id) {
                guard world.lifecycle.state == .closed, waiting.contains(id) else {
                    throw Failure("response \(id) was accepted and never delivered (lifecycle \(world.lifecycle.state), \(waiting.count) waiting)")
                }
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// What tells two worlds apart for what can happen next (run ids and counters do not).
    struct Shape: Hashable {
        var state: String
        var inbox: Int
        var promised: Bool
        var queued: Int
        var driver: Driver?
        var maintaining: RunLifecycle.Maintenance?
        var resetWaiting: Bool

        init(_ world: World) {
            switch world.lifecycle.state {
            case .idle: state = "idle"
            case .running(let run): state = "running \(run.phase) \(run.stop.map { "\($0)" } ?? "-")"
            case .maintenance(let operation): state = "maintenance \(operation)"
            case .closed: state = "closed"
            }
            inbox = min(world.lifecycle.inbox.count, 2) * 4 + min(world.lifecycle.afterRun.count, 2)
            promised = world.lifecycle.promisedContinuation != nil
            queued = world.lifecycle.queue.count
            driver = world.driver
            maintaining = world.maintaining
            resetWaiting = world.resetWaiting
        }
    }

    /// Explores every sequence of up to `depth` steps from `world`, skipping a shape already
    /// explored at least as deep; `seen` ends with every shape reached.
    static func explore(_ world: World, depth: Int, seen: inout [Shape: Int]) throws {
        let shape = Shape(world)
        if let explored = seen[shape], explored >= depth { return }
        seen[shape] = depth
        try world.check()
        try world.settles()
        guard depth > 0 else { return }
        for step in Step.allCases where world.allows(step) {
            var next = world
            do {
                try next.play(step)
                try explore(next, depth: depth - 1, seen: &seen)
            } catch let failure as Failure where !failure.description.contains("\n  after: ") {
                throw Failure("\(failure.description)\n  after: \(next.trace.joined(separator: " → "))")
            }
        }
    }

    @Test("no interleaving of up to 12 steps strands a response, runs two runs, or ends a run twice")
    func everyInterleaving() throws {
        var seen: [Shape: Int] = [:]
        try Self.explore(World(), depth: 12, seen: &seen)
        // Every phase of the lifecycle was reached, and with responses waiting in most of them.
        let states = Set(seen.keys.map(\.state))
        for expected in ["idle", "closed", "maintenance reset", "maintenance rewind", "running working -", "running ending -",
                         "running working cancel", "running ending cancelForReset", "running working drain", "running ending suspend"] {
            #expect(states.contains(expected), "never reached: \(expected)")
        }
        #expect(seen.keys.contains { $0.state == "running ending -" && $0.promised })
        #expect(seen.count > 300, "\(seen.count) shapes")
    }
}
