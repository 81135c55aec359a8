import Testing
import WorkflowEngine
import WorkflowJSON
import WorkflowProtocol

/// The engine writes events, clients read them: both sides agree on every type and its members.
@Suite("Events on the wire: the engine's and the protocol's model agree")
struct EventWireTests {
    static let bodies: [WorkflowEvent.Body] = [
        .runStarted(trigger: .response, input: ["a": 1]), .status(.idleWithPendingRequests), .superstepStarted(superstep: 3),
        .superstepCompleted(superstep: 3), .executorInvoked(executor: "ask", superstep: 3, message: 1, requestID: "q1"),
        .executorCompleted(executor: "ask", superstep: 3), .executorFailed(executor: "run", superstep: 4, error: "exit 2"),
        .output(executor: "out", value: [1, 2]),
        .request(WorkflowRequest(id: "q2", executor: "ask", payload: "ok?", schema: true, runID: "r1", superstep: 5, time: 0)),
        .responseAccepted(requestID: "q2", executor: "ask", response: true), .checkpointSaved(checkpointID: "c9", superstep: 5),
        .warning(executor: "x", reason: "dropped", valueType: nil), .runFailed(error: WorkflowError(.executorFailed, "boom")),
        .instanceReset, .instanceRewound(checkpointID: "c1"), .instanceForked(fromInstance: "a", checkpointID: "c2"),
        .runRecovered(checkpointID: "c3"), .custom(executor: "x", name: "progress", data: 0.5),
        .timerFired(executor: "later", waitID: "w1", scheduledFor: 100, firedAt: 100.5),
        .signalReceived(name: "approved", executor: "later", waitID: "w2"),
        .requestTimedOut(requestID: "q3", executor: "ask", expiredAt: 200),
        .executorRetrying(executor: "call", superstep: 2, attempt: 1, attempts: 3, delay: 1.5, error: "exit 75", durable: true),
        .llmMessage(executor: "draft", message: ["model": "m", "content": "Hi", "toolCalls": [["id": "c1", "name": "publish", "arguments": ["a": 1]]],
                                                 "usage": ["promptTokens": 12, "completionTokens": 3], "round": 1]),
        .llmDelta(executor: "draft", content: "Hi"),
    ]

    @Test("every type the engine writes is one the protocol lists, and no other")
    func sameTypes() {
        #expect(Set(WorkflowEvent.Kind.allCases.map(\.rawValue)) == Set(EventType.allCases.map(\.rawValue)))
        #expect(Set(Self.bodies.map { WorkflowEvent(seq: 1, time: 0, instance: "i", runID: nil, body: $0).json["type"]?.stringValue ?? "" })
                == Set(EventType.allCases.map(\.rawValue)), "the sample covers every type")
    }

    @Test("a client reads each event the engine writes into its typed body, with the members the engine wrote")
    func bodiesReadBack() {
        for body in Self.bodies {
            let json = WorkflowEvent(seq: 1, time: 0, instance: "i", runID: "r1", body: body).json
            let read = EventBody(json)
            switch (body, read) {
            case (.runStarted(let trigger, let input), .runStarted(let t, let i)): #expect(t == trigger.rawValue && i == input)
            case (.status(let status), .status(let s)): #expect(s == status.rawValue)
            case (.superstepStarted(let n), .superstepStarted(let m)), (.superstepCompleted(let n), .superstepCompleted(let m)): #expect(n == m)
            case (.executorInvoked(let e, let n, _, let q), .executorInvoked(let e2, let n2, let q2)): #expect(e == e2 && n == n2 && q == q2)
            case (.executorCompleted(let e, let n), .executorCompleted(let e2, let n2)): #expect(e == e2 && n == n2)
            case (.executorFailed(let e, _, let error), .executorFailed(let e2, _, let error2)): #expect(e == e2 && error == error2)
            case (.output(let e, let v), .output(let e2, let v2)): #expect(e == e2 && v == v2)
            case (.request(let request), .request(let r)): #expect(r["id"]?.stringValue == request.id)
            case (.responseAccepted(let q, let e, let v), .responseAccepted(let q2, let e2, let v2)): #expect(q == q2 && e == e2 && v == v2)
            case (.checkpointSaved(let c, let n), .checkpointSaved(let c2, let n2)): #expect(c == c2 && n == n2)
            case (.warning(let e, let reason, _), .warning(let e2, let reason2)): #expect(e == e2 && reason == reason2)
            case (.runFailed(let error), .runFailed(let e)): #expect(e["message"]?.stringValue == error.message)
            case (.instanceReset, .instanceReset): break
            case (.instanceRewound(let c), .instanceRewound(let c2)): #expect(c == c2)
            case (.instanceForked(let f, let c), .instanceForked(let f2, let c2)): #expect(f == f2 && c == c2)
            case (.runRecovered(let c), .runRecovered(let c2)): #expect(c == c2)
            case (.custom(let e, let n, let d), .custom(let e2, let n2, let d2)): #expect(e == e2 && n == n2 && d == d2)
            case (.timerFired(let e, let w, let due, let fired), .timerFired(let e2, let w2, let due2, let fired2, let late)):
                #expect(e == e2 && w == w2 && due2 == Timestamp.format(due) && fired2 == Timestamp.format(fired) && late == 500)
            case (.signalReceived(let n, let e, let w), .signalReceived(let n2, let e2, let w2)): #expect(n == n2 && e == e2 && w == w2)
            case (.requestTimedOut(let q, let e, let at), .requestTimedOut(let q2, let e2, let at2)):
                #expect(q == q2 && e == e2 && at2 == Timestamp.format(at))
            case (.executorRetrying(let e, let n, let a, let of, let delay, let error, let durable),
                  .executorRetrying(let e2, let n2, let a2, let of2, let delayMs, let error2, let durable2)):
                #expect(e == e2 && n == n2 && a == a2 && of == of2 && delayMs == Int(delay * 1000) && error == error2 && durable == durable2)
            case (.llmMessage(let e, let message), .llmMessage(let e2, let content, let calls, let prompt, let completion)):
                #expect(e == e2 && content == message["content"]?.stringValue && calls == message["toolCalls"] && prompt == 12 && completion == 3)
            case (.llmDelta(let e, let content), .llmDelta(let e2, let content2)):
                #expect(e == e2 && content == content2 && json["live"] == true)
            default: Issue.record("\(json.serialized()) was read as \(read)")
            }
        }
        #expect(EventBody(["type": "from_the_future"]) == .unknown(type: "from_the_future"))
    }
}
