import Testing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowTestSupport

/// `kind: wait` as a definition writes it: a reminder that fires after a while unless a signal
/// comes first, and a deadline read from the message.
@Suite("Definitions: the wait kind")
struct WaitKindTests {
    static func definition(_ hold: String) throws -> Definition {
        try Definition.parse("""
            name: remind
            start: hold
            executors:
              hold: \(hold)
              out: { kind: output }
            edges:
              - { from: hold, to: out }
            """, file: "remind.yaml")
    }

    static func instance(_ definition: Definition, clock: ManualClock) -> WorkflowInstance {
        WorkflowInstance(name: "r", workflow: definition.workflow, configuration: .init(store: InMemoryCheckpointStore(), clock: clock))
    }

    @Test("for, until and signal together: the earliest time wins, a signal before it wins over both")
    func earliestWins() async throws {
        let definition = try Self.definition("{ kind: wait, for: 2h, until: message.deadline, signal: approved }")
        let clock = ManualClock(start: 1_800_000_000)
        // The deadline (in an hour) comes before the two hours.
        let deadline = Timestamp.format(1_800_000_000 + 3_600)
        let byTime = Self.instance(definition, clock: clock)
        #expect(try await byTime.run(["deadline": .string(deadline)]).status == .waiting)
        #expect(await byTime.nextWaitDue == 1_800_000_000 + 3_600)
        clock.advance(by: 3_600)
        let fired = try await byTime.fireDueWaits()
        let result = try await byTime.result(of: try #require(fired.first?.runID))
        #expect(result.outputs.first?["reason"] == "until")
        #expect(result.outputs.first?["input"]?["deadline"]?.stringValue == deadline)

        // Without a deadline in the message, the two hours (or the signal) decide.
        let bySignal = Self.instance(definition, clock: clock)
        #expect(try await bySignal.run(["deadline": nil]).status == .waiting)
        #expect(await bySignal.nextWaitDue == clock.now() + 7_200)
        let outcome = try await bySignal.signal("approved", payload: ["ok": true])
        let signalled = try await bySignal.result(of: try #require(outcome.runID))
        #expect(signalled.outputs.first?["reason"] == "signal")
        #expect(signalled.outputs.first?["signal"]?["payload"] == ["ok": true])
    }

    @Test("until with an offset is read as the same instant in UTC")
    func untilWithOffset() async throws {
        let definition = try Self.definition("{ kind: wait, until: message.at }")
        let clock = ManualClock(start: 1_795_321_000)
        let instance = Self.instance(definition, clock: clock)
        #expect(try await instance.run(["at": "2026-11-22T05:28:52+01:00"]).status == .waiting)
        #expect(await instance.nextWaitDue == 1_795_321_732)
    }

    @Test("an until that gives no time fails the step, saying what it gave", arguments: [
        (#"{"at": "tomorrow"}"#, "not an RFC 3339 time"),
        (#"{"at": 12}"#, "gave number"),
        (#"{"at": null}"#, "it would never end"),
    ])
    func badUntil(input: String, says: String) async throws {
        let definition = try Self.definition("{ kind: wait, until: message.at }")
        let result = try await Self.instance(definition, clock: ManualClock()).run(try JSON(parsing: input))
        #expect(result.status == .failed)
        #expect(result.error?.message.contains(says) == true, "\(result.error?.message ?? "")")
    }

    @Test("a sub-workflow may not wait (nothing would fire its waits): the parent is refused, naming the step", arguments: [
        "{ kind: wait, for: 1h }", "{ kind: request, timeout: 1h }",
    ])
    func noWaitsInSubWorkflows(step: String) throws {
        let child = try Definition.parse("name: child\nstart: hold\nexecutors:\n  hold: \(step)\n", file: "child.yaml")
        do {
            _ = try Definition.parse("name: parent\nstart: sub\nexecutors:\n  sub: { kind: workflow, definition: child }\n",
                                     file: "parent.yaml", definitions: ["child": child])
            Issue.record("a parent of a waiting child loaded")
        } catch {
            #expect("\(error)".contains("executors.sub.definition") && "\(error)".contains("executors.hold"), "\(error)")
        }
    }

    @Test("a wait the loader refuses, with the path and what is wrong", arguments: [
        ("{ kind: wait }", "a wait needs 'for'"),
        ("{ kind: wait, for: soon }", "must be a duration like 30s, 10m, 24h or 7d"),
        ("{ kind: wait, for: 4000d }", "longer than ten years"),
        ("{ kind: wait, signal: '' }", "1 to 128 characters"),
        ("{ kind: wait, until: 'message.[' }", "executors.hold.until"),
        ("{ kind: wait, for: 1h, colour: red }", "colour"),
    ])
    func refused(hold: String, says: String) throws {
        do {
            _ = try Self.definition(hold)
            Issue.record("\(hold) loaded")
        } catch {
            #expect("\(error)".contains(says), "\(error)")
        }
    }
}
