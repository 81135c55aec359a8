#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JMESPath
import JSONSchema
import WorkflowEngine
import WorkflowExecutors

/// Turns a definition document into a ``Definition``, checking everything it can name.
struct DefinitionCompiler {
    typealias Resolver = (_ name: String, _ path: String, _ compiler: DefinitionCompiler) throws(DefinitionError) -> Definition

    let reader: DocumentReader
    let document: JSON
    /// What the daemon tells its definitions (the credentials directory).
    var settings = DefinitionSettings()
    /// Finds the definition a `workflow` executor names.
    let resolve: Resolver

    /// The executor kinds this build provides.
    static let kinds = ["request", "wait", "transform", "join", "output", "exec", "worker", "workflow", "llm"]
    /// Kinds of docs/semantics.md §4 that this build does not provide yet.
    static let laterKinds: [String] = []

    func error(_ path: String, _ message: String) -> DefinitionError { reader.error(path, message) }

    /// Bounds on what a definition may ask for, so that nothing it says can overflow a timer.
    static let maximumSupersteps = 1_000_000_000
    static let maximumDuration: Double = 30 * 86_400
    static let maximumRetries = 100
    /// A wait is durable (no process waits), so it may be long; a bound still keeps its time a
    /// time (ten years).
    static let maximumWait: Double = 3_660 * 86_400

    /// Executor ids are 1 to 64 characters: letters, digits, `_`, `-` and `.`, not starting with
    /// `-` or `.` (they name edges, checkpoint keys and child instances, and are typed in shells).
    static func executorIDProblem(_ id: String) -> String? {
        let scalars = Array(id.unicodeScalars)
        func allowed(_ scalar: Unicode.Scalar, first: Bool) -> Bool {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": return true
            case "-", ".": return !first
            default: return false
            }
        }
        guard !scalars.isEmpty, scalars.count <= 64, scalars.indices.allSatisfy({ allowed(scalars[$0], first: $0 == 0) }) else {
            return "'\(id.prefix(40))' is not a valid executor id (1 to 64 letters, digits, '_', '-', '.'; not starting with '-' or '.')"
        }
        return nil
    }

    func compile() throws(DefinitionError) -> Definition {
        guard case .object(let top) = document else { throw error("", "a definition must be a mapping, not \(document.typeName)") }
        try allowOnly(top, ["name", "description", "start", "maxSupersteps", "runTimeout", "inputSchema", "executors", "edges", "outputs", "schedules"], at: "")
        let name = try string(top, "name", at: "")
        guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw error("name", "'\(name.prefix(40))' is not a valid name (1 to 128 letters, digits, '-', '_', '.')")
        }
        let description = try optionalString(top, "description", at: "")
        var builder = WorkflowBuilder(name: name, start: try string(top, "start", at: ""))
        if let value = top["maxSupersteps"] {
            guard let count = value.intValue, count >= 1, count <= DefinitionCompiler.maximumSupersteps else {
                throw error("maxSupersteps", "must be an integer from 1 to \(DefinitionCompiler.maximumSupersteps)")
            }
            builder.maxSupersteps = count
        }
        if top["runTimeout"] != nil {
            guard let text = top["runTimeout"]?.stringValue, let seconds = parseDuration(text), seconds > 0 else {
                throw error("runTimeout", "must be a duration like 30s, 10m or 2h (how long one run may take)")
            }
            guard seconds <= DefinitionCompiler.maximumWait else { throw error("runTimeout", "\(text) is longer than ten years") }
            builder.runTimeout = seconds
        }
        if let schema = top["inputSchema"] {
            do { _ = try JSONSchema(schema) } catch { throw self.error("inputSchema", "invalid JSON Schema: \(error)") }
            builder.inputSchema = schema
        }
        guard case .object(let executors)? = top["executors"], !executors.isEmpty else {
            throw error(top["executors"] == nil ? "" : "executors", top["executors"] == nil ? "missing 'executors'" : "'executors' must map executor ids to executors")
        }
        guard executors[builder.start] != nil else { throw error("start", "'\(builder.start)' is not one of the executors") }
        for id in executors.keys.sorted() {
            if let problem = Self.executorIDProblem(id) { throw error("executors." + id, problem) }
            try addExecutor(id, executors[id]!, to: &builder)
        }
        if let edges = top["edges"] {
            guard case .array(let list) = edges else { throw error("edges", "must be a list of edges") }
            for (index, edge) in list.enumerated() {
                try addEdge(edge, at: "edges[\(index)]", executors: executors, to: &builder)
            }
        }
        addToolEdges(executors, to: &builder)
        if let outputs = top["outputs"] {
            guard case .array(let list) = outputs else { throw error("outputs", "must be a list of executor ids") }
            var designated = Set<String>()
            for (index, item) in list.enumerated() {
                guard let id = item.stringValue, executors[id] != nil else {
                    throw error("outputs[\(index)]", "\(item) is not one of the executors")
                }
                designated.insert(id)
            }
            builder.outputExecutors = designated
        }
        let workflow: Workflow
        do {
            workflow = try builder.build()
        } catch {
            let problems = error.details["problems"]?.arrayValue?.compactMap(\.stringValue) ?? [error.message]
            throw self.error(top["edges"] != nil ? "edges" : "executors", problems.joined(separator: "; "))
        }
        return Definition(name: name, description: description, file: reader.file, document: document, workflow: workflow,
                          schedules: try schedules(top["schedules"], definition: name))
    }

    // MARK: Executors

    private func addExecutor(_ id: String, _ value: JSON, to builder: inout WorkflowBuilder) throws(DefinitionError) {
        let path = "executors.\(id)"
        guard case .object(var spec) = value else { throw error(path, "an executor must be a mapping with a 'kind'") }
        let kind = try string(spec, "kind", at: path)
        // Every kind may retry; the rest of the mapping is the kind's.
        let retry = try retryPolicy(spec.removeValue(forKey: "retry"), at: path + ".retry")
        switch kind {
        case "request":
            try allowOnly(spec, ["kind", "prompt", "payload", "schema", "timeout", "onTimeout"], at: path)
            let prompt = try optionalString(spec, "prompt", at: path)
            let payload = try optionalExpression(spec, "payload", at: path)
            if prompt != nil && payload != nil { throw error(path, "give 'prompt' or 'payload', not both") }
            let schema = spec["schema"] ?? true
            let compiled: JSONSchema
            do { compiled = try JSONSchema(schema) } catch { throw self.error(path + ".schema", "invalid JSON Schema: \(error)") }
            let timeout = try waitDuration(spec, "timeout", at: path)
            let onTimeout = try timeoutAction(spec["onTimeout"], schema: compiled, hasTimeout: timeout != nil, at: path)
            builder.addExecutor(id, kind: kind, config: value, retry: retry) {
                BuiltInExecutors.request(prompt: prompt, payload: payload, schema: schema, timeout: timeout, onTimeout: onTimeout)
            }
        case "wait":
            try allowOnly(spec, ["kind", "for", "until", "signal"], at: path)
            let duration = try waitDuration(spec, "for", at: path)
            let until = try optionalExpression(spec, "until", at: path)
            let signal = try optionalString(spec, "signal", at: path)
            if let signal, signal.isEmpty || signal.count > 128 {
                throw error(path + ".signal", "a signal's name is 1 to 128 characters")
            }
            guard duration != nil || until != nil || signal != nil else {
                throw error(path, "a wait needs 'for' (a duration), 'until' (an expression giving an RFC 3339 time) or 'signal' (a name), or several: the first to come wins")
            }
            builder.addExecutor(id, kind: kind, config: value, retry: retry) { BuiltInExecutors.wait(for: duration, until: until, signal: signal) }
        case "transform":
            try allowOnly(spec, ["kind", "expression"], at: path)
            guard let expression = try optionalExpression(spec, "expression", at: path) else {
                throw error(path, "a transform needs an 'expression' (JMESPath over {message, state})")
            }
            builder.addExecutor(id, kind: kind, config: value, retry: retry) { BuiltInExecutors.transform(expression) }
        case "join":
            try allowOnly(spec, ["kind", "merge"], at: path)
            var merge = false
            if let flag = spec["merge"] {
                guard let value = flag.boolValue else { throw error(path + ".merge", "must be true or false") }
                merge = value
            }
            let merging = merge
            builder.addExecutor(id, kind: kind, config: value, retry: retry) { BuiltInExecutors.join(merge: merging) }
        case "output":
            try allowOnly(spec, ["kind"], at: path)
            builder.addExecutor(id, kind: kind, config: value, retry: retry) { BuiltInExecutors.output() }
        case "exec":
            try allowOnly(spec, ["kind", "command", "env", "cwd", "timeout", "retries", "backoff", "grace"], at: path)
            let configuration = try execConfiguration(spec, at: path)
            builder.addExecutor(id, kind: kind, config: value, retry: retry) { BuiltInExecutors.exec(configuration) }
        case "workflow":
            try allowOnly(spec, ["kind", "definition"], at: path)
            let name = try string(spec, "definition", at: path)
            let childDefinition = try resolve(name, path + ".definition", self)
            // A sub-workflow runs inside one superstep of its parent, and its instance lives in
            // the parent's executor: nothing would ever fire a wait of its own.
            if let waiting = Self.stepThatWaits(in: childDefinition.document) {
                throw error(path + ".definition", "'\(name)' has a step that waits (\(waiting)); waits and request timeouts are not available inside a sub-workflow: put them in the parent")
            }
            // The child's behaviour is part of the parent's: its hash goes into the parent's.
            var config = spec
            config["definitionHash"] = .string(childDefinition.graphHash)
            let child = childDefinition.workflow
            builder.addExecutor(id, kind: kind, config: .object(config), retry: retry) { BuiltInExecutors.workflow(child) }
        case "llm":
            let configuration = try llmConfiguration(id, spec, at: path)
            builder.addExecutor(id, kind: kind, config: value, retry: retry ?? Self.llmRetry) {
                BuiltInExecutors.llm(configuration, id: id)
            }
        case "worker":
            try allowOnly(spec, ["kind", "command", "env", "cwd", "timeout", "retries", "backoff", "grace"], at: path)
            let configuration = try execConfiguration(spec, at: path)
            // One worker process per instance: the factory runs for every instance (and reset).
            builder.addExecutor(id, kind: kind, config: value, retry: retry) { BuiltInExecutors.worker(configuration) }
        default:
            if Self.laterKinds.contains(kind) {
                throw error(path + ".kind", "executor kind '\(kind)' is not available in this build yet (available: \(Self.kinds.joined(separator: ", ")))")
            }
            throw error(path + ".kind", "unknown executor kind '\(kind)' (known: \((Self.kinds + Self.laterKinds).joined(separator: ", ")))")
        }
    }

    /// A durable wait's length (`for`, a request's `timeout`): a duration up to ten years.
    private func waitDuration(_ spec: JSONObject, _ key: String, at path: String) throws(DefinitionError) -> Double? {
        guard let raw = spec[key] else { return nil }
        guard let text = raw.stringValue, let seconds = parseDuration(text) else {
            throw error(path + "." + key, "must be a duration like 30s, 10m, 24h or 7d")
        }
        guard seconds <= DefinitionCompiler.maximumWait else {
            throw error(path + "." + key, "\(text) is longer than ten years, the longest wait allowed")
        }
        return seconds
    }

    /// A request's `onTimeout`: `fail` (the default), `{respond: VALUE}` (checked against the
    /// request's schema now), `{respondWith: EXPRESSION}`, or `{to: EXECUTOR}`.
    private func timeoutAction(_ raw: JSON?, schema: JSONSchema, hasTimeout: Bool, at path: String) throws(DefinitionError) -> RequestTimeoutAction {
        guard let raw else { return .fail }
        let where_ = path + ".onTimeout"
        guard hasTimeout else { throw error(where_, "'onTimeout' needs a 'timeout' (how long the request waits for a person)") }
        if raw.stringValue == "fail" { return .fail }
        guard case .object(let object) = raw, object.count == 1, let (key, value) = object.first else {
            throw error(where_, "must be fail, {respond: VALUE}, {respondWith: EXPRESSION} or {to: EXECUTOR}")
        }
        switch key {
        case "respond":
            let problems = schema.validate(value)
            if !problems.isEmpty {
                throw error(where_ + ".respond", "does not match the request's schema: " + problems.prefix(3).map(\.description).joined(separator: "; "))
            }
            return .respond(value)
        case "respondWith":
            guard let expression = try optionalExpression(object, "respondWith", at: where_) else {
                throw error(where_ + ".respondWith", "must be a JMESPath expression over {message, state}")
            }
            return .respondWith(expression)
        case "to":
            guard let target = value.stringValue else { throw error(where_ + ".to", "must name an executor") }
            guard case .object(let executors)? = document["executors"], executors[target] != nil else {
                throw error(where_ + ".to", "'\(target)' is not one of the executors")
            }
            let from = String(path.dropFirst("executors.".count))
            guard edgeExists(from: from, to: target) else {
                throw error(where_ + ".to", "no edge goes from '\(from)' to '\(target)': add one ({ from: \(from), to: \(target) }) so the escalation has a way")
            }
            return .to(target)
        default:
            throw error(where_, "must be fail, {respond: VALUE}, {respondWith: EXPRESSION} or {to: EXECUTOR}, not '\(key)'")
        }
    }

    /// Whether the document has an edge from `source` that can reach `target`.
    private func edgeExists(from source: String, to target: String) -> Bool {
        guard case .array(let edges)? = document["edges"] else { return false }
        func names(_ value: JSON?) -> [String] {
            switch value {
            case .string(let name)?: [name]
            case .array(let list)?: list.compactMap(\.stringValue)
            default: []
            }
        }
        return edges.contains { edge in
            guard names(edge["from"]).contains(source) else { return false }
            let cases = edge["switch"]?.arrayValue ?? []
            return names(edge["to"]).contains(target) || cases.contains { names($0["to"]).contains(target) || names($0["default"]).contains(target) }
        }
    }

    /// The first step of a definition that waits for time or a signal (a `wait`, a request with a
    /// `timeout`), if it has one.
    static func stepThatWaits(in document: JSON) -> String? {
        guard case .object(let executors)? = document["executors"] else { return nil }
        for id in executors.keys.sorted() {
            let kind = executors[id]?["kind"]?.stringValue
            if kind == "wait" { return "executors.\(id) is a wait" }
            if kind == "request", executors[id]?["timeout"] != nil { return "executors.\(id) is a request with a timeout" }
            if case .object(let retry)? = executors[id]?["retry"], Self.retryMayWait(retry) {
                return "executors.\(id) retries after delays over a second (a durable wait)"
            }
        }
        return nil
    }

    /// Whether a retry policy as written may wait longer than a second between tries (then the
    /// wait is durable, which a sub-workflow cannot hold).
    static func retryMayWait(_ retry: JSONObject) -> Bool {
        let attempts = retry["attempts"]?.intValue ?? 1
        guard attempts > 1 else { return false }
        let backoff = retry["backoff"]?.stringValue.flatMap(parseDuration) ?? 1
        let factor = retry["factor"]?.doubleValue ?? 2
        let maximum = retry["max"]?.stringValue.flatMap(parseDuration) ?? .infinity
        let jitter = retry["jitter"]?.doubleValue ?? 0
        let longest = RetryPolicy(attempts: attempts, backoff: backoff, factor: factor, maximum: maximum, jitter: jitter)
            .delay(after: attempts - 1, random: 1)
        return longest > RetryPolicy.inlineDelayLimit
    }

    /// An executor's `retry: {attempts, backoff, factor, max, jitter, on}`.
    private func retryPolicy(_ value: JSON?, at path: String) throws(DefinitionError) -> RetryPolicy? {
        guard let value else { return nil }
        guard case .object(let spec) = value else { throw error(path, "must be a mapping {attempts, backoff, factor, max, jitter, on}") }
        try allowOnly(spec, ["attempts", "backoff", "factor", "max", "jitter", "on"], at: path)
        guard let attempts = spec["attempts"]?.intValue, (1...DefinitionCompiler.maximumRetries).contains(attempts) else {
            throw error(spec["attempts"] == nil ? path : path + ".attempts",
                        "'attempts' is required: how many tries in all, 1 to \(DefinitionCompiler.maximumRetries) (1 means no retry)")
        }
        func duration(_ key: String, default fallback: Double) throws(DefinitionError) -> Double {
            guard let raw = spec[key] else { return fallback }
            guard let text = raw.stringValue, let seconds = parseDuration(text) else { throw error(path + "." + key, "must be a duration like 500ms, 30s or 5m") }
            guard seconds <= DefinitionCompiler.maximumWait else { throw error(path + "." + key, "\(text) is longer than ten years") }
            return seconds
        }
        func number(_ key: String, default fallback: Double, in range: ClosedRange<Double>) throws(DefinitionError) -> Double {
            guard let raw = spec[key] else { return fallback }
            guard let number = raw.doubleValue, range.contains(number) else {
                throw error(path + "." + key, "must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        var conditions: [RetryPolicy.Condition] = []
        if let raw = spec["on"] {
            guard case .array(let items) = raw else { throw error(path + ".on", "must be a list of exit:N, timeout, crash, error:CODE") }
            for (index, item) in items.enumerated() {
                guard let text = item.stringValue, let condition = RetryPolicy.Condition(text) else {
                    throw error("\(path).on[\(index)]", "'\(item.stringValue ?? item.serialized())' is not exit:N (0 to 255), timeout, crash or error:CODE")
                }
                conditions.append(condition)
            }
        }
        return RetryPolicy(attempts: attempts, backoff: try duration("backoff", default: 1), factor: try number("factor", default: 2, in: 1...100),
                           maximum: try duration("max", default: .infinity), jitter: try number("jitter", default: 0, in: 0...1),
                           conditions: conditions)
    }

    /// The definition file's directory: relative programs and working directories start there.
    var directory: String {
        guard let slash = reader.file.lastIndex(of: "/") else { return "." }
        return String(reader.file[..<slash])
    }

    private func execConfiguration(_ spec: JSONObject, at path: String) throws(DefinitionError) -> ExecConfiguration {
        guard case .array(let parts)? = spec["command"], !parts.isEmpty else {
            let kind = spec["kind"]?.stringValue ?? "exec"
            throw error(spec["command"] == nil ? path : path + ".command", "\(kind == "exec" ? "an exec" : "a \(kind)") executor needs a 'command': [program, arguments...]")
        }
        var command: [String] = []
        for (index, part) in parts.enumerated() {
            guard let text = part.stringValue else { throw error("\(path).command[\(index)]", "must be a string, not \(part.typeName)") }
            command.append(text)
        }
        let program = try resolveProgram(command[0], at: path + ".command[0]")
        var environment: [String: String] = [:]
        if let env = spec["env"] {
            guard case .object(let object) = env else { throw error(path + ".env", "must map variable names to strings") }
            for (key, value) in object {
                guard let text = value.stringValue else { throw error(path + ".env." + key, "must be a string, not \(value.typeName)") }
                environment[key] = text
            }
        }
        var workingDirectory: String?
        if let cwd = try optionalString(spec, "cwd", at: path) {
            workingDirectory = cwd.hasPrefix("/") ? cwd : directory + "/" + cwd
        }
        func duration(_ key: String, default value: Double) throws(DefinitionError) -> Double {
            guard let raw = spec[key] else { return value }
            guard let text = raw.stringValue, let seconds = parseDuration(text) else {
                throw error(path + "." + key, "must be a duration like 500ms, 30s or 5m")
            }
            guard seconds <= DefinitionCompiler.maximumDuration else {
                throw error(path + "." + key, "\(text) is longer than 30 days, the longest duration allowed")
            }
            return seconds
        }
        var retries = 0
        if let raw = spec["retries"] {
            guard let count = raw.intValue, count >= 0, count <= DefinitionCompiler.maximumRetries else {
                throw error(path + ".retries", "must be an integer from 0 to \(DefinitionCompiler.maximumRetries)")
            }
            retries = count
        }
        let timeout = try duration("timeout", default: 60)
        guard timeout > 0 else { throw error(path + ".timeout", "must be longer than 0") }
        return ExecConfiguration(program: program, arguments: Array(command.dropFirst()), environment: environment,
                                 workingDirectory: workingDirectory, timeout: timeout, retries: retries,
                                 backoff: try duration("backoff", default: 0.2), grace: try duration("grace", default: 2))
    }

    /// A program path as the definition gives it: absolute, relative to the definition's
    /// directory (if it has a '/'), or a name looked up in PATH. It must be an executable file.
    private func resolveProgram(_ name: String, at path: String) throws(DefinitionError) -> String {
        func executable(_ candidate: String) -> Bool {
            var info = stat()
            return stat(candidate, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(candidate, X_OK) == 0
        }
        if name.contains("/") {
            let candidate = name.hasPrefix("/") ? name : directory + "/" + name
            guard executable(candidate) else { throw error(path, "program \(candidate) does not exist or is not executable") }
            return candidate
        }
        // A bare name is looked up in PATH, as a shell would.
        let search = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in search.split(separator: ":") where executable(directory + "/" + name) {
            return directory + "/" + name
        }
        throw error(path, "program '\(name)' is not in PATH (\(search))")
    }

    // MARK: Edges

    private func addEdge(_ value: JSON, at path: String, executors: JSONObject, to builder: inout WorkflowBuilder) throws(DefinitionError) {
        guard case .object(let edge) = value else { throw error(path, "an edge must be a mapping with 'from'") }
        try allowOnly(edge, ["from", "to", "when", "select", "switch"], at: path)
        func known(_ id: JSON, _ at: String) throws(DefinitionError) -> String {
            guard let name = id.stringValue else { throw error(at, "expected an executor id, got \(id.typeName)") }
            guard executors[name] != nil else { throw error(at, "unknown executor '\(name)'") }
            return name
        }
        guard let from = edge["from"] else { throw error(path, "missing 'from'") }
        if case .array(let sources) = from {
            // Fan-in.
            for key in ["when", "select", "switch"] where edge[key] != nil { throw error(path + "." + key, "a fan-in edge takes no '\(key)'") }
            var ids: [String] = []
            for (index, source) in sources.enumerated() { ids.append(try known(source, "\(path).from[\(index)]")) }
            guard let to = edge["to"] else { throw error(path, "missing 'to'") }
            builder.addFanIn(from: ids, to: try known(to, path + ".to"))
            return
        }
        let source = try known(from, path + ".from")
        if let cases = edge["switch"] {
            for key in ["to", "when", "select"] where edge[key] != nil { throw error(path + "." + key, "a switch edge takes no '\(key)'") }
            guard case .array(let list) = cases, !list.isEmpty else { throw error(path + ".switch", "must be a list of cases") }
            var switchCases: [SwitchCase] = []
            var defaultTarget: String?
            for (index, item) in list.enumerated() {
                let casePath = "\(path).switch[\(index)]"
                guard case .object(let entry) = item else { throw error(casePath, "a case is {when, to} or {default}") }
                if let target = entry["default"] {
                    try allowOnly(entry, ["default"], at: casePath)
                    guard defaultTarget == nil else { throw error(casePath, "a switch has one default") }
                    defaultTarget = try known(target, casePath + ".default")
                } else {
                    try allowOnly(entry, ["when", "to"], at: casePath)
                    guard let condition = try optionalExpression(entry, "when", at: casePath) else { throw error(casePath, "missing 'when'") }
                    guard let target = entry["to"] else { throw error(casePath, "missing 'to'") }
                    switchCases.append(SwitchCase(when: Self.condition(condition), to: try known(target, casePath + ".to")))
                }
            }
            guard defaultTarget != nil else { throw error(path + ".switch", "a switch needs a { default: <executor> } case") }
            builder.addSwitch(from: source, cases: switchCases, default: defaultTarget)
            return
        }
        guard let to = edge["to"] else { throw error(path, "missing 'to' (or 'switch')") }
        if case .array(let targets) = to {
            if edge["when"] != nil { throw error(path + ".when", "a fan-out edge takes 'select', not 'when'") }
            var ids: [String] = []
            for (index, target) in targets.enumerated() { ids.append(try known(target, "\(path).to[\(index)]")) }
            let selection = try optionalExpression(edge, "select", at: path).map(Self.selection)
            builder.addFanOut(from: source, to: ids, select: selection)
            return
        }
        if edge["select"] != nil { throw error(path + ".select", "'select' needs a list of targets in 'to'") }
        let condition = try optionalExpression(edge, "when", at: path).map(Self.condition)
        builder.addEdge(from: source, to: try known(to, path + ".to"), when: condition)
    }

    static func condition(_ expression: JMESPathExpression) -> EdgeCondition {
        EdgeCondition(expression.source) { message, state in try expression.matches(ExpressionInput.of(message, state)) }
    }

    static func selection(_ expression: JMESPathExpression) -> EdgeSelection {
        EdgeSelection(expression.source) { message, state, _ in
            switch try expression.evaluate(ExpressionInput.of(message, state)) {
            case .string(let id): return [id]
            case .array(let ids): return ids.compactMap(\.stringValue)
            case .null: return []
            case let other: throw WorkflowError(.executorFailed, "select gave \(other.typeName), not executor ids")
            }
        }
    }

    // MARK: Fields

    func allowOnly(_ object: JSONObject, _ keys: [String], at path: String) throws(DefinitionError) {
        for key in object.keys.sorted() where !keys.contains(key) {
            throw error(path.isEmpty ? key : path + "." + key, "unknown key '\(key)' (expected \(keys.joined(separator: ", ")))")
        }
    }

    func string(_ object: JSONObject, _ key: String, at path: String) throws(DefinitionError) -> String {
        let full = path.isEmpty ? key : path + "." + key
        guard let value = object[key] else { throw error(path, "missing '\(key)'") }
        guard let text = value.stringValue else { throw error(full, "must be a string, not \(value.typeName)") }
        return text
    }

    func optionalString(_ object: JSONObject, _ key: String, at path: String) throws(DefinitionError) -> String? {
        guard object[key] != nil else { return nil }
        return try string(object, key, at: path)
    }

    func optionalExpression(_ object: JSONObject, _ key: String, at path: String) throws(DefinitionError) -> JMESPathExpression? {
        guard let source = try optionalString(object, key, at: path) else { return nil }
        do {
            return try JMESPathExpression(source)
        } catch {
            throw self.error(path.isEmpty ? key : path + "." + key, "\(error)")
        }
    }
}

extension DefinitionCompiler {
    /// The schedules a definition declares (`schedules:`), each checked as `schedule.create`
    /// checks one, its runs on instances of this definition.
    func schedules(_ value: JSON?, definition: String) throws(DefinitionError) -> [ScheduleSpec] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw error("schedules", "must be a list of schedules, not \(value.typeName)") }
        var schedules: [ScheduleSpec] = []
        for (index, item) in items.enumerated() {
            do throws(ScheduleSpecError) {
                let schedule = try ScheduleSpec(parsing: item, definition: definition)
                guard !schedules.contains(where: { $0.name == schedule.name }) else {
                    throw ScheduleSpecError("name", "'\(schedule.name)' names two schedules")
                }
                schedules.append(schedule)
            } catch {
                // A missing key has no line of its own: the error points at the schedule.
                guard !error.key.isEmpty, item.objectValue?[error.key] != nil else {
                    throw self.error("schedules[\(index)]", error.description)
                }
                throw self.error("schedules[\(index)].\(error.key)", error.message)
            }
        }
        return schedules
    }
}
