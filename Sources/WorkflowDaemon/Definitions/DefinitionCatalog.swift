import Logging
import WorkflowConcurrency
import WorkflowDefinitions
import WorkflowEngine
import WorkflowProtocol
import WorkflowStore

/// The definitions the daemon knows: those loaded from the definitions directory now, and the
/// older versions instances still pin (compiled from the documents the store keeps, so a changed
/// or deleted file never strands an instance).
actor DefinitionCatalog {
    let directory: String
    let logger: Logger
    private(set) var current: [String: Definition] = [:]
    private(set) var problems: [DefinitionProblem] = []
    /// Versions that are not current any more, by hash (bounded; recompiled when needed).
    private var older: [String: Workflow] = [:]
    private var olderOrder: [String] = []
    private static let olderLimit = 256

    /// Passed to every definition compiled.
    let settings: DefinitionSettings

    init(directory: String, settings: DefinitionSettings = DefinitionSettings(), logger: Logger) {
        self.directory = directory
        self.settings = settings
        self.logger = logger
    }

    /// Reads the directory again (off the cooperative pool). A file that does not load is
    /// reported; the definitions that do replace the current ones.
    @discardableResult
    func reload() async -> (definitions: [String], problems: [DefinitionProblem]) {
        let directory = self.directory, settings = self.settings
        let (definitions, errors) = (try? await BlockingWork.run { Definition.loadDirectory(directory, settings: settings) })
            ?? ([:], [DefinitionError(file: directory, path: "", "cannot read the directory")])
        for (_, definition) in current where definitions[definition.name]?.graphHash != definition.graphHash {
            remember(definition.workflow)
        }
        current = definitions
        problems = errors.map(Self.problem)
        for problem in problems { logger.warning("a definition does not load", metadata: ["problem": "\(problem)"]) }
        // The start's line and a reload's line say how many (see WorkflowDaemon and DaemonContext).
        logger.debug("definitions loaded", metadata: ["count": "\(definitions.count)", "directory": "\(directory)"])
        return (definitions.keys.sorted(), problems)
    }

    static func problem(_ error: DefinitionError) -> DefinitionProblem {
        DefinitionProblem(file: error.file, line: error.line, column: error.column, path: error.path, message: error.message)
    }

    func definition(named name: String) -> Definition? { current[name] }

    /// The workflow of version `hash` of definition `name`: the current one, an older one in
    /// memory, or one compiled from the document the store kept.
    /// - Throws: `definitionNotFound` if no version with that hash can be had.
    func workflow(hash: String, name: String, store: any InstanceStore) async throws -> Workflow {
        if let definition = current[name], definition.graphHash == hash { return definition.workflow }
        if let workflow = older[hash] { return workflow }
        if let definition = current.values.first(where: { $0.graphHash == hash }) { return definition.workflow }
        guard let kept = try await store.definitionVersion(hash: hash) else {
            throw DaemonError(.definitionNotFound, "version \(hash.prefix(12)) of definition '\(name)' is not available (reset the instance with upgrade to move it to the current version)",
                              data: ["definition": .string(name), "definitionHash": .string(hash)])
        }
        let library = current, settings = self.settings
        let definition: Definition
        do {
            definition = try await BlockingWork.run {
                try Definition.parse(kept.document.serialized(), file: kept.file, definitions: library, settings: settings)
            }
        } catch {
            throw DaemonError(.definitionInvalid, "version \(hash.prefix(12)) of definition '\(name)' no longer loads: \(error)",
                              data: ["definition": .string(name), "definitionHash": .string(hash)])
        }
        guard definition.graphHash == hash else {
            throw DaemonError(.definitionNotFound, "version \(hash.prefix(12)) of definition '\(name)' cannot be rebuilt (a definition it uses changed); reset the instance with upgrade",
                              data: ["definition": .string(name), "definitionHash": .string(hash)])
        }
        remember(definition.workflow)
        return definition.workflow
    }

    private func remember(_ workflow: Workflow) {
        guard older[workflow.graphHash] == nil else { return }
        older[workflow.graphHash] = workflow
        olderOrder.append(workflow.graphHash)
        if olderOrder.count > Self.olderLimit { older[olderOrder.removeFirst()] = nil }
    }

    /// How a definition is described over the protocol.
    static func info(_ definition: Definition, document: Bool = false) -> DefinitionInfo {
        let kinds = definition.document["executors"]?.objectValue ?? [:]
        var info = DefinitionInfo(name: definition.name, description: definition.description, hash: definition.graphHash,
                                  file: definition.file, start: definition.workflow.start,
                                  executors: definition.workflow.executorIDs.map {
                                      DefinitionInfo.ExecutorInfo(id: $0, kind: kinds[$0]?["kind"]?.stringValue ?? "")
                                  })
        info.inputSchema = definition.workflow.inputSchema
        if document { info.document = definition.document }
        return info
    }
}
