import Hummingbird
import WorkflowClient
import WorkflowConcurrency
import WorkflowProtocol

/// The console's addresses. Each handler reads the request, calls one ``ConsoleService`` method
/// and answers with a page, a redirect (after an action: the page shows what it did) or an error
/// page that names the problem.
struct ConsoleRoutes: Sendable {
    let service: ConsoleService
    let feed: EventFeed
    let maximumBody: Int

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try await page { try await service.instancesPage() } }
        router.get("/inbox") { request, _ in
            let notice = request.uri.queryParameters["answered"].map { _ in
                ConsolePage.Notice(kind: .success, text: "Your answer was sent.")
            }
            return try await page { try await service.inboxPage(notice: notice) }
        }
        router.post("/inbox/:instance/:request") { request, context in
            let instance = try context.parameters.require("instance"), requestID = try context.parameters.require("request")
            let form = try await fields(request)
            do {
                switch try await service.answer(instance: instance, request: requestID, form: form) {
                case .accepted:
                    return redirect("/instances/\(HTML.segment(instance))?done=answer")
                case .refused(let page):
                    return html(page, status: .unprocessableContent)
                case .grown(let page):
                    return html(page)
                }
            } catch {
                return await failure(error, instance: nil, inbox: true)
            }
        }
        router.get("/instances/:name") { request, context in
            let name = try context.parameters.require("name")
            let notice = request.uri.queryParameters["done"].flatMap { Self.doneNotices[String($0)] }.map { ConsolePage.Notice(kind: .success, text: $0) }
            return try await page { try await service.instancePage(name, notice: notice) }
        }
        router.get("/instances/:name/live") { _, context in
            let name = try context.parameters.require("name")
            return try await page { try await service.instanceLive(name) }
        }
        router.get("/instances/:name/graph.svg") { _, context in
            let name = try context.parameters.require("name")
            do {
                return Response(status: .ok, headers: [.contentType: "image/svg+xml"], body: .init(byteBuffer: ByteBuffer(string: try await service.graphSVG(name))))
            } catch {
                return await failure(error, instance: nil)
            }
        }
        router.get("/instances/:name/events") { request, context in
            let name = try context.parameters.require("name")
            // A reconnecting EventSource says where it got to; a first connection, the page does (`after`).
            let resumed: UInt64? = request.headers[.init("Last-Event-ID")!].flatMap { UInt64($0) }
            let asked: UInt64? = request.uri.queryParameters["after"].flatMap { UInt64(String($0)) }
            let after = resumed ?? asked
            return feed.response(instance: name, after: after)
        }
        router.post("/instances/:name/runs") { request, context in
            let name = try context.parameters.require("name")
            let form = try await fields(request)
            return await act(name) { try await _ = service.startRun(name, input: form["input"] ?? "") } done: { "run" }
        }
        router.post("/instances/:name/checkpoints") { request, context in
            let name = try context.parameters.require("name")
            let form = try await fields(request)
            let label = form["label"].map(SchemaForm.trim).flatMap { $0.isEmpty ? nil : $0 }
            return await act(name) { try await service.checkpoint(name, label: label) } done: { "checkpoint" }
        }
        router.post("/instances/:name/rewind") { request, context in
            let name = try context.parameters.require("name")
            let form = try await fields(request)
            guard let checkpoint = form["checkpoint"], !checkpoint.isEmpty else { return try await missing("checkpoint", name) }
            if form["confirmed"] != "yes" {
                return confirm("Rewind \(name) to checkpoint \(checkpoint)? What happened after it is left behind (its checkpoints stay).", request, form, name)
            }
            return await act(name) { try await service.rewind(name, to: checkpoint) } done: { "rewind" }
        }
        router.post("/instances/:name/fork") { request, context in
            let name = try context.parameters.require("name")
            let form = try await fields(request)
            guard let checkpoint = form["checkpoint"], !checkpoint.isEmpty else { return try await missing("checkpoint", name) }
            guard let newName = form["as"].map(SchemaForm.trim), !newName.isEmpty else { return try await missing("name of the new instance", name) }
            if form["confirmed"] != "yes" {
                return confirm("Fork a new instance \(newName) from \(name)'s checkpoint \(checkpoint)?", request, form, name)
            }
            do {
                try await service.fork(name, at: checkpoint, as: newName)
                return redirect("/instances/\(HTML.segment(newName))?done=fork")
            } catch {
                return await failure(error, instance: name)
            }
        }
        router.post("/instances/:name/reset") { request, context in
            let name = try context.parameters.require("name")
            let form = try await fields(request)
            if form["confirmed"] != "yes" {
                return confirm("Reset \(name) to a clean slate? Its state, open requests and queued runs are discarded (its checkpoints stay).", request, form, name)
            }
            return await act(name) { try await service.reset(name) } done: { "reset" }
        }
        router.get("/assets/console.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsoleAssets.css)))
        }
        router.get("/assets/console.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsoleAssets.script)))
        }
    }

    /// What an instance page says after an action (`?done=`): fixed sentences, so an address
    /// cannot make the page say something else.
    static let doneNotices = [
        "answer": "Your answer was sent; the run goes on below.",
        "run": "The run was started.",
        "checkpoint": "A checkpoint was taken.",
        "rewind": "The instance was rewound.",
        "fork": "This instance was forked.",
        "reset": "The instance was reset to a clean slate.",
    ]

    // MARK: Helpers

    private func fields(_ request: Request) async throws -> FormFields {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBody)
        return FormFields(encoded: String(buffer: buffer))
    }

    private func page(_ make: () async throws -> String) async throws -> Response {
        do {
            return html(try await make())
        } catch {
            return await failure(error, instance: nil)
        }
    }

    private func act(_ name: String, _ action: () async throws -> Void, done: () -> String) async -> Response {
        do {
            try await action()
            return redirect("/instances/\(HTML.segment(name))?done=\(done())")
        } catch {
            return await failure(error, instance: name)
        }
    }

    private func missing(_ what: String, _ name: String) async throws -> Response {
        let page = try? await service.instancePage(name, notice: .init(kind: .failure, text: "The form did not say which \(what)."))
        return html(page ?? ErrorPage(title: "Bad request", message: "The form did not say which \(what).").html, status: .badRequest)
    }

    private func confirm(_ question: String, _ request: Request, _ form: FormFields, _ name: String) -> Response {
        html(ConfirmationPage(question: question, action: request.uri.path, fields: form, back: "/instances/" + HTML.segment(name)).html)
    }

    private func redirect(_ target: String) -> Response {
        Response(status: .seeOther, headers: [.location: target])
    }

    private func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// An error as a page: the daemon's refusal on the page it concerns (the instance's, or the
    /// inbox), with the status that fits it; a daemon that cannot be reached as 503.
    private func failure(_ error: any Error, instance: String?, inbox: Bool = false) async -> Response {
        let client = error as? WorkflowClientError
        let message = client?.message ?? "\(error)"
        let status: HTTPResponse.Status = switch client?.rpcCode {
        case .some(.instanceNotFound), .some(.requestNotFound), .some(.checkpointNotFound), .some(.runNotFound), .some(.definitionNotFound): .notFound
        case .some(.invalidParams), .some(.responseInvalid): .badRequest
        case .some: .conflict
        case nil: client == nil ? .internalServerError : .serviceUnavailable
        }
        let notice = ConsolePage.Notice(kind: .failure, text: message)
        if client?.rpc != nil {
            if inbox, let page = try? await service.inboxPage(notice: notice) { return html(page, status: status) }
            if let instance, status != .notFound || client?.rpcCode != .instanceNotFound,
               let page = try? await service.instancePage(instance, notice: notice) {
                return html(page, status: status)
            }
        }
        let title = status == .serviceUnavailable ? "The daemon is not reachable" : status == .notFound ? "Not found" : "It did not work"
        return html(ErrorPage(title: title, message: message).html, status: status)
    }
}
