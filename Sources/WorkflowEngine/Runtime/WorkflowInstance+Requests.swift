extension WorkflowInstance {
    /// Answers an open request.
    ///
    /// The response is checked against the request's schema before it is accepted; a rejected
    /// response leaves the request open. Once accepted it is durable (checkpointed) before this
    /// returns. If a run is active, the response is delivered to the requesting executor at its
    /// next superstep boundary while the run goes on (a run of inline supersteps lets it in
    /// within about half a millisecond); if the instance is idle, a continuation run starts (with
    /// a fresh superstep budget).
    /// - Throws: `requestNotFound` (unknown or already answered), `responseInvalid` (with the
    ///   schema problems in `details.problems`), `instanceBusy` (a reset or rewind is in
    ///   progress), `storeFailed` (the response was not accepted; the request stays open).
    func acceptResponse(to requestID: String, with response: JSON) async throws -> ResponseOutcome {
        if let broken { throw broken }
        guard let request = state.pending[requestID] else {
            throw WorkflowError(.requestNotFound, "instance '\(name)' has no open request '\(requestID)' (it was never raised, is already answered, or was cleared by a reset)",
                                details: ["instance": .string(name), "requestId": .string(requestID)])
        }
        if let validator = configuration.responseValidator {
            let problems = validator.problems(in: response, against: request.schema)
            if !problems.isEmpty {
                throw WorkflowError(.responseInvalid, "response to request '\(requestID)' does not match its schema: " + problems.joined(separator: "; "),
                                    details: ["requestId": .string(requestID), "problems": .array(problems.map { .string($0) }), "schema": request.schema])
            }
        }
        guard let target = workflow.index(of: request.executor) else {
            throw WorkflowError(.requestNotFound, "request '\(requestID)' belongs to executor '\(request.executor)', which workflow '\(workflow.name)' does not have")
        }
        let delivery = PendingMessage(source: "response", target: target, payload: response, request: request)
        let continuationID = Identifier.make("r")
        switch lifecycle.responseAccepted(continuationRunID: continuationID) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)", details: ["instance": .string(name)])
        case .deliverToActiveRun(let runID):
            state.pending[requestID] = nil
            inbox.append(delivery)
            sink.emit(runID: runID, .responseAccepted(requestID: requestID, executor: request.executor, response: response))
            do {
                try await publish(checkpoint: .responseAccepted, runID: runID)
            } catch {
                // Not accepted: the request is open again. (The run returns to the durable point at
                // its next boundary; that point has the request open too.)
                state.pending[requestID] = request
                inbox.removeAll { $0.request?.id == requestID }
                throw error
            }
            return ResponseOutcome(runID: runID, startedRun: false)
        case .startContinuation:
            state.pending[requestID] = nil
            sink.emit(runID: continuationID, .responseAccepted(requestID: requestID, executor: request.executor, response: response))
            runs.add(continuationID, trigger: .response, input: response, phase: .running)
            do {
                try await beginRun(continuationID, trigger: .response, input: response, seed: [delivery])
            } catch {
                state.pending[requestID] = request
                throw error
            }
            return ResponseOutcome(runID: continuationID, startedRun: true)
        }
    }
}
