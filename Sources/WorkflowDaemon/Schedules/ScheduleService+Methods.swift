import WorkflowCalendar
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// The `schedule.*` methods: each checks who asks (a schedule is its owner's and root's), then
/// reads or writes the store and holds the schedule's next fire.
extension ScheduleService {
    static func notFound(_ name: String) -> DaemonError {
        DaemonError(.scheduleNotFound, "no schedule '\(name)'", data: ["schedule": .string(name)])
    }

    /// `schedule.create`
    func create(_ params: ScheduleMethods.Create.Params, by peer: Peer) async throws -> ScheduleInfo {
        var document = try JSONValueEncoder().encode(params)
        if case .object(var object) = document {
            object = object.filter { $0.value != .null }
            document = .object(object)
        }
        let spec: ScheduleSpec
        do {
            spec = try ScheduleSpec(parsing: document, zoneDirectory: zoneDirectory)
        } catch {
            throw RPCError.invalidParams("params.\(error.key): \(error.message)", path: error.key.isEmpty ? "params" : "params.\(error.key)")
        }
        if let definition = spec.definition, await instances.catalog.definition(named: definition) == nil {
            throw DaemonError.definitionNotFound(definition)
        }
        guard try await store.schedule(named: spec.name) == nil else {
            throw DaemonError(.scheduleExists, "a schedule named '\(spec.name)' exists", data: ["schedule": .string(spec.name)])
        }
        let now = clock.now()
        let stored = StoredSchedule(name: spec.name, ownerUID: peer.uid, source: "api", spec: spec.document, paused: spec.paused,
                                    nextFire: spec.paused ? nil : spec.cadence.next(after: Int(now)).map(Double.init), lastFire: nil,
                                    createdAt: now)
        try await store.saveSchedule(stored)
        hold(stored.name, at: stored.nextFire)
        return info(stored, spec: spec)
    }

    /// `schedule.list`
    func list(_ params: ScheduleMethods.List.Params, by peer: Peer) async throws -> ScheduleMethods.List.Result {
        let limit = try InstanceService.pageLimit(params.limit, default: 100, maximum: 1000)
        let page = try await store.schedules(after: params.after, limit: limit + 1, owner: peer.isRoot ? nil : peer.uid, source: nil)
        let shown = page.prefix(limit)
        return ScheduleMethods.List.Result(schedules: shown.map { info($0, spec: try? parse($0)) },
                                           next: page.count > limit ? shown.last?.name : nil)
    }

    /// `schedule.get`
    func get(_ params: ScheduleMethods.Target, by peer: Peer) async throws -> ScheduleInfo {
        let stored = try await visible(params.name, by: peer)
        return info(stored, spec: try? parse(stored))
    }

    /// `schedule.pause`
    func pause(_ params: ScheduleMethods.Target, by peer: Peer) async throws -> ScheduleInfo {
        var stored = try await visible(params.name, by: peer)
        stored.paused = true
        stored.nextFire = nil
        try await store.saveSchedule(stored)
        hold(stored.name, at: nil)
        return info(stored, spec: try? parse(stored))
    }

    /// `schedule.resume`: goes on from now (the fires a pause skipped are not caught up; a
    /// backfill runs them if they are wanted).
    func resume(_ params: ScheduleMethods.Target, by peer: Peer) async throws -> ScheduleInfo {
        var stored = try await visible(params.name, by: peer)
        let spec = try parse(stored)
        if stored.paused {
            stored.paused = false
            stored.nextFire = spec.cadence.next(after: Int(clock.now())).map(Double.init)
            try await store.saveSchedule(stored)
            hold(stored.name, at: stored.nextFire)
        }
        return info(stored, spec: spec)
    }

    /// `schedule.delete`
    func delete(_ params: ScheduleMethods.Target, by peer: Peer) async throws -> ScheduleMethods.Delete.Result {
        let stored = try await visible(params.name, by: peer)
        guard stored.source == "api" else {
            throw DaemonError(.permissionDenied, "schedule '\(stored.name)' is declared in \(stored.source); remove it there and reload",
                              data: ["schedule": .string(stored.name), "file": .string(stored.source)])
        }
        let deleted = try await store.deleteSchedule(named: stored.name)
        hold(stored.name, at: nil)
        return ScheduleMethods.Delete.Result(deleted: deleted)
    }

    /// `schedule.trigger`: a fire for the current second, now, paused or not.
    func trigger(_ params: ScheduleMethods.Target, by peer: Peer) async throws -> ScheduleInfo.Fire {
        let stored = try await visible(params.name, by: peer)
        let spec = try parse(stored)
        let fire = await fire(spec, owner: stored.ownerUID, at: Int(clock.now()), overlap: spec.overlap)
        try await store.recordScheduleFire(name: stored.name, nextFire: stored.nextFire, lastFire: fire.json)
        return fire
    }

    /// `schedule.backfill`: a fire for each time in the range, in order, each queued.
    func backfill(_ params: ScheduleMethods.Backfill.Params, by peer: Peer) async throws -> ScheduleMethods.Backfill.Result {
        let stored = try await visible(params.name, by: peer)
        let spec = try parse(stored)
        let from = try Self.time(params.from, "from"), to = try Self.time(params.to, "to")
        guard from <= to else { throw RPCError.invalidParams("params.from: \(params.from) is after params.to (\(params.to))", path: "params.from") }
        guard to <= clock.now() else { throw RPCError.invalidParams("params.to: \(params.to) is in the future; backfill runs past times", path: "params.to") }
        let times = spec.cadence.fires(in: Int(from.rounded(.up))...Int(to), limit: ScheduleSpec.catchUpLimit + 1)
        guard times.count <= ScheduleSpec.catchUpLimit else {
            throw DaemonError(.limitExceeded, "the range holds more than \(ScheduleSpec.catchUpLimit) fires of schedule '\(stored.name)'; backfill a shorter one",
                              data: ["limit": .number(Double(ScheduleSpec.catchUpLimit)), "schedule": .string(stored.name)])
        }
        var fires: [ScheduleInfo.Fire] = []
        for time in times { fires.append(await fire(spec, owner: stored.ownerUID, at: time, overlap: .queue)) }
        return ScheduleMethods.Backfill.Result(fires: fires)
    }

    /// The schedule if `peer` may see it (its owner, or root); not found otherwise.
    private func visible(_ name: String, by peer: Peer) async throws -> StoredSchedule {
        guard let stored = try await store.schedule(named: name), peer.isRoot || stored.ownerUID == peer.uid else { throw Self.notFound(name) }
        return stored
    }

    private static func time(_ text: String, _ key: String) throws -> Double {
        do {
            return try Timestamp.parse(text, path: "params.\(key)")
        } catch {
            throw RPCError.invalidParams("params.\(key): '\(text)' is not an RFC 3339 time", path: "params.\(key)")
        }
    }

    /// How the protocol describes a stored schedule (`spec` nil: it no longer reads, and shows
    /// no next fires).
    func info(_ stored: StoredSchedule, spec: ScheduleSpec?) -> ScheduleInfo {
        let document = stored.spec.objectValue ?? [:]
        var nextFires: [String] = []
        if let spec, !stored.paused, var cursor = stored.nextFire.map({ Int($0) - 1 }) {
            while nextFires.count < Self.nextFiresShown, let next = spec.cadence.next(after: cursor) {
                nextFires.append(Timestamp.format(Double(next) + spec.delay(for: next)))
                cursor = next
            }
        }
        var info = ScheduleInfo(name: stored.name, instance: document["instance"]?.stringValue ?? "", overlap: spec?.overlap.rawValue ?? "skip",
                                catchUp: spec?.catchUp.rawValue ?? "latest", catchUpWindow: document["catchUpWindow"]?.stringValue ?? "24h",
                                paused: stored.paused, source: stored.source == "api" ? "api" : "file", owner: stored.ownerUID,
                                nextFires: nextFires, createdAt: Timestamp.format(stored.createdAt))
        info.definition = document["definition"]?.stringValue
        info.cron = document["cron"]?.stringValue
        info.every = document["every"]?.stringValue
        info.timeZone = info.cron == nil ? nil : document["timeZone"]?.stringValue ?? "UTC"
        info.input = document["input"]
        info.jitter = document["jitter"]?.stringValue
        info.file = stored.source == "api" ? nil : stored.source
        info.lastFire = ScheduleInfo.Fire(json: stored.lastFire)
        return info
    }
}
