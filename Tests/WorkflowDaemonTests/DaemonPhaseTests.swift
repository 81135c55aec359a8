import DaemonTestSupport
import Testing
@testable import WorkflowDaemon

/// The daemon's phase machine, without a process: every transition and the action it returns.
@Suite("The daemon's phase")
struct DaemonPhaseTests {
    static let always: Set<String> = ["daemon.ping", "daemon.status"]

    @Test("start-up ends in ready with one READY=1; a stop during start-up drains and never says ready")
    func startingAndReady() {
        var phase = DaemonPhase()
        #expect(phase.state == .starting)
        #expect(phase.loadsInstances, "recovery loads instances before the daemon serves")
        #expect(!phase.acceptsWork)
        #expect(phase.startedServing() == .notifyReady)
        #expect(phase.state == .ready)
        #expect(phase.startedServing() == .none)

        var early = DaemonPhase()
        #expect(early.stopBegins() == .drain)
        #expect(early.startedServing() == .none)
        #expect(early.state == .draining)
    }

    @Test("overlapping reloads tell the service manager once: RELOADING=1 at the first, READY=1 after the last")
    func overlappingReloads() {
        var phase = DaemonPhase()
        _ = phase.startedServing()
        #expect(phase.reloadBegins() == .notifyReloadingAndReload)
        #expect(phase.reloadBegins() == .reload)
        #expect(phase.state == .reloading(reloads: 2))
        #expect(phase.acceptsWork, "requests are served while definitions are re-read")
        #expect(phase.reloadEnded() == .none)
        #expect(phase.reloadEnded() == .notifyReady)
        #expect(phase.state == .ready)
        #expect(phase.reloadEnded() == .none, "an end without a beginning changes nothing")
        #expect(phase.state == .ready)
    }

    @Test("a stop during a reload drains at once; the reload ends without READY=1, and a new one is refused")
    func stopDuringReload() {
        var phase = DaemonPhase()
        _ = phase.startedServing()
        _ = phase.reloadBegins()
        #expect(phase.stopBegins() == .drain)
        #expect(phase.reloadEnded() == .none)
        #expect(phase.state == .draining)
        #expect(phase.reloadBegins() == .refuse)
    }

    @Test("a second stop does nothing; drained ends in stopped, which loads nothing and serves only ping and status")
    func stopping() {
        var phase = DaemonPhase()
        _ = phase.startedServing()
        #expect(phase.stopBegins() == .drain)
        #expect(phase.stopBegins() == .none)
        #expect(phase.isStopping && !phase.loadsInstances)
        phase.drained()
        #expect(phase.state == .stopped)
        #expect(phase.stopBegins() == .none)
        #expect(phase.reloadBegins() == .refuse)
        #expect(phase.isStopping && !phase.loadsInstances)
    }

    @Test("ping and status are served in every phase; any other method only while ready or reloading")
    func admission() {
        var phase = DaemonPhase()
        var seen: [(DaemonPhase.State, Bool, Bool)] = []
        func look() { seen.append((phase.state, phase.admits("instance.list", alwaysServed: Self.always), phase.admits("daemon.ping", alwaysServed: Self.always))) }
        look()
        _ = phase.startedServing(); look()
        _ = phase.reloadBegins(); look()
        _ = phase.reloadEnded()
        _ = phase.stopBegins(); look()
        phase.drained(); look()
        #expect(seen.map { $0.1 } == [false, true, true, false, false])
        #expect(seen.allSatisfy { $0.2 })
    }
}
