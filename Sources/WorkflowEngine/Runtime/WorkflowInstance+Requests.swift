extension WorkflowInstance {
    /// Answers an open request.
    ///
    /// The response is checked against the request's schema before it is accepted; a rejected
    /// response leaves the request open. Once accepted it is durable (checkpointed) before this
    /// returns. If a run is active, the response is delivered to the requesting executor at its
    /// next superstep boundary while the run goes on; if the instance is idle, a continuation run
    /// starts (with a fresh superstep budget).
    /// - Throws: `requestNotFound` (unknown or already answered), `responseInvalid` (with the
    ///   schema problems in `details.problems`), `instanceBusy` (a reset or rewind is in
    ///   progress), `storeFailed` (the response was not accepted; the request stays open).
    @discardableResult
    public func respond(to requestID: String, with response: JSON) async throws -> ResponseOutcome {
        try durability.admitWork()
        guard let request = state.pending[requestID] else {
            if let time = state.timedOut[requestID] {
                throw WorkflowError(.requestNotFound, "request '\(requestID)' of instance '\(name)' timed out at \(Timestamp.format(time)) without an answer; its step went on without one",
                                    details: ["instance": .string(name), "requestId": .string(requestID), "timedOutAt": .string(Timestamp.format(time))])
            }
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
        switch lifecycle.responseAccepted(delivery, continuationRunID: Identifier.make("r")) {
        case .reject(let reason):
            throw WorkflowError(.instanceBusy, "instance '\(name)': \(reason)", details: ["instance": .string(name)])
        case .deliverToActiveRun(let runID):
            try await recordAcceptance(of: request, response: response, deliveredBy: runID)
            linkRunSpan(toResponse: requestID)
            return ResponseOutcome(runID: runID, startedRun: false)
        case .deliverAfterActiveRun(_, let continuationID), .holdForResume(let continuationID):
            // Known from now on, so that whoever is told its id can wait for it.
            if runs[continuationID] == nil { runs.add(continuationID, trigger: .response, input: response) }
            try await recordAcceptance(of: request, response: response, deliveredBy: continuationID)
            linkRunSpan(toResponse: requestID)
            return ResponseOutcome(runID: continuationID, startedRun: true)
        case .startContinuation(let continuationID):
            // The run takes the response from the inbox at its first boundary (so that, were it
            // cancelled before, the response would still get a run of its own).
            state.pending[requestID] = nil
            let timeout = state.disarmTimeout(of: requestID)
            sink.emit(runID: continuationID, .responseAccepted(requestID: requestID, executor: request.executor, response: response))
            runs.add(continuationID, trigger: .response, input: response)
            do {
                try await beginRun(continuationID, trigger: .response, input: response, seed: [])
            } catch {
                state.pending[requestID] = request
                if let timeout { state.waits[timeout.id] = timeout }
                _ = lifecycle.deliveryWithdrawn(id: requestID)
                throw error
            }
            return ResponseOutcome(runID: continuationID, startedRun: true)
        }
    }

    /// Commits a response that waits in the inbox for run `runID` (the active run, or the
    /// continuation after it). If the store cannot take it, it is not accepted: the request is
    /// open again and the inbox forgets it. (The run returns to the durable point at its next
    /// boundary; that point has the request open too.)
    private func recordAcceptance(of request: WorkflowRequest, response: JSON, deliveredBy runID: String) async throws {
        state.pending[request.id] = nil
        let timeout = state.disarmTimeout(of: request.id)
        sink.emit(runID: runID, .responseAccepted(requestID: request.id, executor: request.executor, response: response))
        do {
            try await publish(checkpoint: .responseAccepted, runID: runID)
        } catch {
            state.pending[request.id] = request
            if let timeout { state.waits[timeout.id] = timeout }
            if let dropped = lifecycle.deliveryWithdrawn(id: request.id) { runs.remove(dropped) }
            throw error
        }
    }
}
