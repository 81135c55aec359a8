import JSONSchema
import Testing
import WorkflowDefinitions
import WorkflowEngine
import WorkflowTestSupport

@Suite("JSON Schema as the engine's response validator")
struct ValidatorTests {
    static let approval: JSON = ["type": "object", "required": ["approved"], "additionalProperties": false,
                                 "properties": ["approved": ["type": "boolean"]]]

    @Test("the validator plugs into the engine: a response that fails its schema is refused with the problems")
    func engineValidator() async throws {
        var builder = WorkflowBuilder(name: "approval", start: "ask")
        let schema = Self.approval
        builder.addExecutor("ask") { FunctionExecutor { _, context in context.requestInfo("Publish?", schema: schema) } }
        let instance = WorkflowInstance(name: "a", workflow: try builder.build(),
                                        configuration: .init(responseValidator: JSONSchemaValidator()))
        let request = try #require(try await instance.run(nil).pendingRequests.first)
        await #expect {
            try await instance.respond(to: request.id, with: ["approved": "yes"])
        } throws: { error in
            guard let error = workflowError(error) else { return false }
            return error.code == .responseInvalid && error.details["problems"] == ["/approved: expected boolean, got string"]
                && error.message == "response to request '\(request.id)' does not match its schema: /approved: expected boolean, got string"
        }
        #expect(await instance.pendingRequests.count == 1)
        let outcome = try await instance.respond(to: request.id, with: ["approved": true])
        #expect(try await instance.result(of: outcome.runID).status == .idle)
        // A request whose own schema is broken says so instead of accepting anything.
        #expect(JSONSchemaValidator().problems(in: true, against: ["type": 5]).first?.hasPrefix("the request's schema is invalid") == true)
    }
}
