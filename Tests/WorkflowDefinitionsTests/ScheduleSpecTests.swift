import Testing
import WorkflowCalendar
import WorkflowDefinitions
import WorkflowEngine

/// Schedules as a definition file declares them (`schedules:`), checked with the line they are on.
@Suite("Definitions: declared schedules")
struct ScheduleSpecTests {
    static func definition(_ schedules: String) throws(DefinitionError) -> Definition {
        try Definition.parse("""
            name: nightly
            start: out
            executors:
              out: { kind: output }
            schedules:
            \(schedules)
            """, file: "nightly.yaml")
    }

    @Test("a declared schedule reads with its defaults, and runs on instances of the declaring definition")
    func defaults() throws {
        let definition = try Self.definition("  - { name: report, instance: reports, cron: '0 2 * * *', timeZone: Europe/Paris, input: {kind: daily} }")
        let spec = try #require(definition.schedules.first)
        #expect(spec.definition == "nightly")
        #expect(spec.overlap == .skip && spec.catchUp == .latest && spec.catchUpWindow == 86_400 && spec.jitter == 0 && !spec.paused)
        #expect(spec.input == ["kind": "daily"])
        guard case .cron(let cron, let zone) = spec.cadence else { Issue.record("not a cron cadence"); return }
        #expect(cron.source == "0 2 * * *" && zone.identifier == "Europe/Paris")
        #expect(spec.idempotencyKey(for: 1_800_000_000) == "schedule:report:2027-01-15T08:00:00.000Z")
    }

    @Test("a wrong schedule is an error at its line naming the key", arguments: [
        ("  - { name: r, instance: i, cron: '* * *' }", "schedules[0].cron", "has 3 fields"),
        ("  - { name: r, instance: i, every: 1h, timeZone: UTC }", "schedules[0].timeZone", "applies to a cron expression only"),
        ("  - { name: r, instance: i, every: 1h, definition: other }", "schedules[0].definition", "unknown key 'definition'"),
        ("  - { name: r, instance: i, every: 1.5s }", "schedules[0].every", "whole number of seconds"),
        ("  - { name: r, instance: i, every: 99999999999999999999999d }", "schedules[0].every", "at most 366d"),
        ("  - { name: r, instance: i, every: 1h, jitter: 1e300s }", "schedules[0].jitter", "at most 1d"),
        ("  - { name: r, instance: i, every: 1h }\n  - { name: r, instance: j, every: 2h }", "schedules[1].name", "names two schedules"),
        ("  - { name: r, every: 1h }", "schedules[0]", "instance is required"),
        ("  - { name: r, instance: i, every: 1h, catchUp: never }", "schedules[0].catchUp", "'never' is not one of none, latest, all"),
    ])
    func errors(text: String, path: String, message: String) {
        let error = #expect(throws: DefinitionError.self) { try Self.definition(text) }
        #expect(error?.path == path, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.line != nil)
    }

    @Test("jitter gives each fire its own share, the same every time, within the bound")
    func jitterIsStable() throws {
        let spec = try ScheduleSpec(parsing: ["name": "j", "instance": "i", "every": "1m", "jitter": "30s"])
        let delays = (0..<200).map { spec.delay(for: 1_800_000_000 + $0 * 60) }
        #expect(delays.allSatisfy { $0 >= 0 && $0 < 30 })
        #expect(Set(delays).count > 150, "spread out, not one value")
        #expect(delays == (0..<200).map { spec.delay(for: 1_800_000_000 + $0 * 60) })
    }
}
