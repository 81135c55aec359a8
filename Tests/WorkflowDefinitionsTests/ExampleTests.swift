import Foundation
import JSONSchema
import Testing
import WorkflowCalendar
import WorkflowDefinitions
import WorkflowEngine

/// Every example in Contrib/examples loads, satisfies the definition schema, and runs to its
/// expected output with its real programs.
@Suite("Contrib/examples")
struct ExampleTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Contrib/examples").standardized.path

    static func load() throws -> [String: Definition] {
        let (definitions, errors) = Definition.loadDirectory(directory)
        #expect(errors.isEmpty, "\(errors)")
        return definitions
    }

    func instance(_ definition: Definition) -> WorkflowInstance {
        WorkflowInstance(name: definition.name, workflow: definition.workflow,
                         configuration: .init(store: InMemoryCheckpointStore(), responseValidator: JSONSchemaValidator()))
    }

    @Test("every example loads and satisfies the definition format's JSON Schema")
    func load() throws {
        let definitions = try Self.load()
        #expect(definitions.keys.sorted() == ["agent", "loop", "mapreduce", "nightly", "release", "reminder", "review", "shout"])
        let text = try String(contentsOfFile: ExampleTests.directory + "/../schema/workflow-definition.schema.json", encoding: .utf8)
        let schema = try JSONSchema(try JSON(parsing: text))
        for (name, definition) in definitions {
            #expect(schema.validate(definition.document).isEmpty, "\(name): \(schema.validate(definition.document))")
        }
    }

    @Test("nightly: its schedule fires at 02:00 in Paris (01:00 UTC in winter, 00:00 in summer), and a run writes the digest")
    func nightly() async throws {
        let definition = try #require(try Self.load()["nightly"])
        let schedule = try #require(definition.schedules.first)
        #expect(schedule.name == "nightly-digest" && schedule.instance == "digest" && schedule.definition == "nightly")
        // 2026-12-05T12:00Z, then 2026-07-01T12:00Z.
        #expect(schedule.cadence.next(after: 1_796_472_000) == 1_796_518_800)
        #expect(schedule.cadence.next(after: 1_782_907_200) == 1_782_950_400)
        let result = try await instance(definition).start(schedule.input).result()
        #expect(result.outputs == [["digest": "digest of yesterday"]])
    }

    @Test("reminder: unanswered for a day, the person is asked again with a reminder; unanswered two days more, the draft is dropped for them; an answer in time publishes")
    func reminder() async throws {
        let definition = try #require(try Self.load()["reminder"])
        let clock = ManualClock(start: 1_800_000_000)
        let quiet = WorkflowInstance(name: "quiet", workflow: definition.workflow,
                                     configuration: .init(store: InMemoryCheckpointStore(), responseValidator: JSONSchemaValidator(), clock: clock))
        let asked = try await quiet.run(["title": "Waits"])
        #expect(asked.pendingRequests.first?.payload["prompt"] == "Publish this draft?")
        clock.advance(by: 86_400)
        let reminded = try await quiet.result(of: try #require(try await quiet.fireDueWaits().first?.runID))
        #expect(reminded.status == .idleWithPendingRequests)
        let again = try #require(reminded.pendingRequests.first)
        #expect(again.payload["prompt"]?.stringValue?.hasPrefix("Reminder") == true)
        #expect(again.payload["message"] == ["title": "Waits"])
        clock.advance(by: 2 * 86_400)
        let dropped = try await quiet.result(of: try #require(try await quiet.fireDueWaits().first?.runID))
        #expect(dropped.status == .idle)
        #expect(dropped.outputs.first?["response"] == ["approved": false])
        #expect(dropped.outputs.first?["timedOut"] == true)

        let prompt = WorkflowInstance(name: "prompt", workflow: definition.workflow,
                                      configuration: .init(store: InMemoryCheckpointStore(), responseValidator: JSONSchemaValidator(), clock: clock))
        let request = try #require(try await prompt.run(["title": "Now"]).pendingRequests.first)
        let answered = try await prompt.respond(to: request.id, with: ["approved": true])
        #expect(try await prompt.result(of: answered.runID).outputs == [["published": ["title": "Now"]]])
        clock.advance(by: 10 * 86_400)
        #expect(try await prompt.fireDueWaits().isEmpty, "an answer in time disarms the reminder")
    }

    @Test("review: an exec drafts, a person approves, a worker publishes; or the draft is dropped", .timeLimit(.minutes(3)))
    func review() async throws {
        let review = instance(try #require(try Self.load()["review"]))
        let asked = try await review.run(["topic": "superstep engines"])
        let request = try #require(asked.pendingRequests.first)
        #expect(request.payload["message"] == ["title": "Superstep Engines", "text": "A few words about superstep engines."])
        let published = try await review.result(of: try await review.respond(to: request.id, with: ["approved": true, "note": "ship it"]).runID)
        #expect(published.outputs == [["published": "Superstep Engines", "note": "ship it"]])
        #expect(await review.sharedState["published"] == 1)
        let again = try await review.run(["topic": "nothing"])
        let dropped = try await review.result(of: try await review.respond(to: again.pendingRequests[0].id, with: ["approved": false]).runID)
        #expect(dropped.outputs.first?["response"] == ["approved": false])
        await review.shutdown()
    }

    @Test("release: the review flow as a sub-workflow; its request is answered on the parent", .timeLimit(.minutes(3)))
    func release() async throws {
        let release = instance(try #require(try Self.load()["release"]))
        let asked = try await release.run(["words": ["sub", "workflows"]])
        let request = try #require(asked.pendingRequests.first)
        #expect(request.executor == "review")
        #expect(request.payload["message"]?["title"] == "Sub Workflows")
        let done = try await release.result(of: try await release.respond(to: request.id, with: ["approved": true]).runID)
        #expect(done.outputs == [["published": "Sub Workflows", "note": nil]])
        await release.shutdown()
    }

    @Test("mapreduce: three exec mappers in one superstep, a fan-in, a sum")
    func mapreduce() async throws {
        let result = try await instance(try #require(try Self.load()["mapreduce"])).run(["a b c", "d e", "f", "g h i j"])
        #expect(result.outputs == [["words": 10, "shards": 3]])
        #expect(result.supersteps == 5)
    }

    @Test("loop: one item per superstep until none is left")
    func loop() async throws {
        let result = try await instance(try #require(try Self.load()["loop"])).run(["left": [1, 2, 3], "done": []])
        #expect(result.outputs == [[1, 2, 3]])
        #expect(result.supersteps == 5)
    }

    @Test("shout: a worker serves every message", .timeLimit(.minutes(3)))
    func shout() async throws {
        let shout = instance(try #require(try Self.load()["shout"]))
        #expect(try await shout.run("hello").outputs == ["HELLO"])
        #expect(try await shout.run("again").outputs == ["AGAIN"])
        await shout.shutdown()
    }
}
