import Logging
import WorkflowCalendar
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// Schedules declared in definition files (`schedules:`): made to match the files at start and
/// at every reload. A schedule the files no longer declare is deleted; one whose declaration
/// changed goes on from now under the new one (its history kept); one unchanged keeps its next
/// fire, so fires missed while the daemon was down are still caught up after a restart.
extension ScheduleService {
    /// Makes the stored file-declared schedules match `definitions`; the problems found (a name
    /// declared twice, or taken by a schedule made through `schedule.create`).
    func sync(_ definitions: [String: Definition]) async -> [DefinitionProblem] {
        var problems: [DefinitionProblem] = []
        var declared: [String: (spec: ScheduleSpec, file: String)] = [:]
        for definition in definitions.values.sorted(by: { $0.file < $1.file }) {
            for spec in definition.schedules {
                if let other = declared[spec.name] {
                    problems.append(DefinitionProblem(file: definition.file, line: nil, column: nil, path: "schedules",
                                                      message: "schedule '\(spec.name)' is declared in \(other.file) too; this one is ignored"))
                    continue
                }
                declared[spec.name] = (spec, definition.file)
            }
        }
        do {
            for (name, (spec, file)) in declared.sorted(by: { $0.key < $1.key }) {
                var document = spec.document.objectValue ?? [:]
                document["definition"] = spec.definition.map { .string($0) }
                let now = clock.now()
                if let stored = try await store.schedule(named: name) {
                    if stored.source == "api" {
                        problems.append(DefinitionProblem(file: file, line: nil, column: nil, path: "schedules",
                                                          message: "schedule '\(name)' is not declared: the name is taken by a schedule made with schedule.create"))
                        continue
                    }
                    if stored.source == file && stored.spec == .object(document) { continue }
                    var changed = stored
                    changed.source = file
                    changed.spec = .object(document)
                    changed.paused = spec.paused
                    changed.nextFire = spec.paused ? nil : spec.cadence.next(after: Int(now)).map(Double.init)
                    try await store.saveSchedule(changed)
                    hold(name, at: changed.nextFire)
                } else {
                    let stored = StoredSchedule(name: name, ownerUID: 0, source: file, spec: .object(document), paused: spec.paused,
                                                nextFire: spec.paused ? nil : spec.cadence.next(after: Int(now)).map(Double.init),
                                                lastFire: nil, createdAt: now)
                    try await store.saveSchedule(stored)
                    hold(name, at: stored.nextFire)
                }
            }
            var after: String?
            while true {
                let page = try await store.schedules(after: after, limit: 500, owner: nil, source: "file")
                for stored in page where declared[stored.name] == nil {
                    _ = try await store.deleteSchedule(named: stored.name)
                    hold(stored.name, at: nil)
                }
                guard page.count == 500 else { break }
                after = page.last?.name
            }
        } catch {
            logger.error("could not store the schedules the definition files declare", metadata: ["error": "\(error)"])
            problems.append(DefinitionProblem(file: "", line: nil, column: nil, path: "schedules",
                                              message: "the declared schedules could not be stored: \(error)"))
        }
        return problems
    }
}
