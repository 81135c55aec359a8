import WorkflowClient
import WorkflowGraph
import WorkflowJSON
import WorkflowProtocol

/// What the console's pages need from the daemon, one method per page or action, all through
/// the client (with the rights of the user who runs the console).
struct ConsoleService: Sendable {
    let client: WorkflowClient

    /// At most this many instances on the instances page (each is read in full for its marks).
    static let instancesShown = 200
    /// The events an instance page starts with.
    static let eventsShown = 50

    func instancesPage() async throws -> String {
        let listed = try await client.instances(limit: Self.instancesShown)
        var instances: [InstanceInfo] = []
        var lastRuns: [String: RunInfo] = [:]
        for summary in listed.instances {
            do {
                instances.append(try await client.instance(summary.name))
                lastRuns[summary.name] = try await client.runs(of: summary.name, limit: 1).first
            } catch where Self.code(of: error) == .instanceNotFound {
                continue  // deleted between the list and the read
            }
        }
        let requests = try await client.requests()
        let schedules = try await client.schedules()
        return InstancesPage(instances: instances, lastRuns: lastRuns, truncated: listed.next != nil, schedules: schedules, openRequests: requests.count).html
    }

    func instancePage(_ name: String, notice: ConsolePage.Notice? = nil) async throws -> String {
        try await instance(name, notice: notice).html
    }

    func instanceLive(_ name: String) async throws -> String {
        try await instance(name, notice: nil, events: false).live
    }

    private func instance(_ name: String, notice: ConsolePage.Notice?, events withEvents: Bool = true) async throws -> InstancePage {
        let info = try await client.instance(name)
        let runs = try await client.runs(of: name, limit: 20)
        let checkpoints = try await client.checkpoints(of: name)
        let (graph, state) = try await picture(name)
        var events: [WorkflowClient.Event] = []
        if withEvents, let next = info.nextSeq, next > 0 {
            let after = next > UInt64(Self.eventsShown) ? next - UInt64(Self.eventsShown) - 1 : nil
            do {
                events = try await client.readEvents(of: name, after: after, limit: Self.eventsShown).events.compactMap(WorkflowClient.Event.init)
            } catch where (error as? WorkflowClientError)?.code == .eventsMissed {
                events = []
            }
        }
        return InstancePage(instance: info, runs: runs, checkpoints: checkpoints,
                            graph: graph, graphState: state, events: events, notice: notice)
    }

    func inboxPage(notice: ConsolePage.Notice? = nil, refused: (instance: String, id: String, posted: FormFields, errors: SchemaForm.Errors)? = nil) async throws -> String {
        InboxPage(requests: try await client.requests(), refused: refused, notice: notice).html
    }

    /// What became of an answer posted from the inbox.
    enum Answer {
        /// The daemon took it.
        case accepted
        /// Not sent, or refused by the daemon: the inbox again, the form as posted, errors at their fields.
        case refused(page: String)
        /// The form asked for one more item of an array: the inbox again with it.
        case grown(page: String)
    }

    func answer(instance: String, request requestID: String, form: FormFields) async throws -> Answer {
        let open = try await client.requests(of: instance)
        guard let request = open.first(where: { $0.id == requestID }) else {
            throw WorkflowClientError(.rpc, "request '\(requestID)' of instance '\(instance)' is not open: it was answered, or it expired",
                                      rpc: RPCError(.requestNotFound, "request '\(requestID)' is not open"))
        }
        let schemaForm = SchemaForm(schema: request.schema, formID: RequestCard.anchor(request))
        if form[SchemaForm.addField] != nil {
            return .grown(page: try await inboxPage(refused: (instance, requestID, form, [:])))
        }
        var (value, errors) = schemaForm.decode(form)
        if errors.isEmpty, let value { errors = schemaForm.check(value) }
        if errors.isEmpty, let value {
            do {
                _ = try await client.respond(on: instance, to: requestID, with: value)
                return .accepted
            } catch where Self.code(of: error) == .responseInvalid {
                // The daemon checks again (its schema library is the same, but it is the one that counts).
                let rpc = (error as? WorkflowClientError)?.rpc
                let problems = rpc?.data?["problems"]?.arrayValue?.compactMap(\.stringValue) ?? [rpc?.message ?? "\(error)"]
                errors = SchemaForm.errors(fromDaemon: problems)
            }
        } else if errors.isEmpty {
            errors = ["": "no answer was given"]
        }
        let notice = ConsolePage.Notice(kind: .failure, text: "The answer was not sent: see the fields marked below.")
        return .refused(page: try await inboxPage(notice: notice, refused: (instance, requestID, form, errors)))
    }

    func startRun(_ name: String, input text: String) async throws -> RunInfo {
        let input: JSON
        if text.allSatisfy(\.isWhitespace) {
            input = .null
        } else {
            do {
                input = try JSON(parsing: text)
            } catch {
                throw WorkflowClientError(.rpc, "the input is not JSON: \(error)", rpc: RPCError(.invalidParams, "the input is not JSON: \(error)"))
            }
        }
        return try await client.startRun(on: name, input: input)
    }

    func rewind(_ name: String, to checkpoint: String) async throws { _ = try await client.rewind(name, to: checkpoint) }

    func fork(_ name: String, at checkpoint: String, as newName: String) async throws { _ = try await client.fork(name, at: checkpoint, as: newName) }

    func reset(_ name: String) async throws { _ = try await client.reset(name, cancel: true) }

    func checkpoint(_ name: String, label: String?) async throws { _ = try await client.createCheckpoint(of: name, label: label) }

    func graphSVG(_ name: String) async throws -> String {
        let (graph, state) = try await picture(name)
        return GraphRenderer.render(graph, state: state, as: .svg)
    }

    /// An instance's graph and its live marks, as `wfctl graph` draws them.
    private func picture(_ name: String) async throws -> (WorkflowGraph, GraphState) {
        let answer = try await client.graph(of: name)
        let state = GraphState(holding: answer.holding, waiting: Set(answer.waiting),
                               invocations: answer.lastRun?.invocations.map { .init(executor: $0.executor, superstep: $0.superstep) } ?? [],
                               runId: answer.lastRun?.runId, runStatus: answer.lastRun?.status.rawValue, status: answer.status.rawValue)
        return (WorkflowGraph(document: answer.definition.document ?? [:], subDefinitions: answer.subDefinitions), state)
    }

    /// The daemon's error code, if the daemon answered with an error. (Not `catch let error as
    /// WorkflowClientError where ...`: the release compiler crashes on that in async functions.)
    static func code(of error: any Error) -> RPCError.Code? {
        (error as? WorkflowClientError)?.rpcCode
    }

    func events(of name: String, after: UInt64?) -> EventStream { client.events(of: name, after: after) }
}
