import JMESPath
import JSONSchema
import WorkflowEngine
import WorkflowExecutors

extension DefinitionCompiler {
    /// An `llm` step retries what a server says may pass (429, 5xx, a lost connection, a
    /// malformed answer, a timeout) when its definition gives no `retry:` of its own: 4 tries,
    /// after 0.5 s, 1 s and 2 s (or what `Retry-After` asks, up to a minute; a delay over a
    /// second is a durable wait, as every retry's).
    static let llmRetry = RetryPolicy(attempts: 4, backoff: 0.5, factor: 2, maximum: 60)

    static let llmKeys = ["kind", "baseURL", "model", "apiKeyFile", "apiKeyCredential", "messages", "stream", "temperature", "maxTokens",
                          "responseSchema", "tools", "maxToolRounds", "timeout", "conversation"]

    func llmConfiguration(_ id: String, _ spec: JSONObject, at path: String) throws(DefinitionError) -> LLMConfiguration {
        try allowOnly(spec, Self.llmKeys, at: path)
        let baseURL = try string(spec, "baseURL", at: path)
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://"), baseURL.count > 8, !baseURL.contains(" ") else {
            throw error(path + ".baseURL", "must be an http:// or https:// URL up to /chat/completions (like https://api.openai.com/v1)")
        }
        let model = try string(spec, "model", at: path)
        guard !model.isEmpty else { throw error(path + ".model", "must name a model") }
        var apiKey = LLMConfiguration.APIKey.none
        let keyFile = try optionalString(spec, "apiKeyFile", at: path)
        let keyCredential = try optionalString(spec, "apiKeyCredential", at: path)
        switch (keyFile, keyCredential) {
        case (_?, _?): throw error(path, "give 'apiKeyFile' or 'apiKeyCredential', not both")
        case (let file?, nil):
            guard file.hasPrefix("/") else { throw error(path + ".apiKeyFile", "must be an absolute path to a file holding the key (the key itself never goes in a definition)") }
            apiKey = .file(file)
        case (nil, let name?):
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw error(path + ".apiKeyCredential", "must be a credential's name (a file name in $CREDENTIALS_DIRECTORY)")
            }
            apiKey = .credential(name)
        case (nil, nil): break
        }
        let messages: LLMConfiguration.Messages
        switch spec["messages"] {
        case nil: throw error(path, "missing 'messages' (a list of {role, content}, content a JMESPath expression over {message, state})")
        case .string(let source)?:
            do { messages = .expression(try JMESPathExpression(source)) } catch { throw self.error(path + ".messages", "\(error)") }
        case .array(let items)?:
            guard !items.isEmpty else { throw error(path + ".messages", "must not be empty") }
            var templates: [LLMConfiguration.MessageTemplate] = []
            for (index, item) in items.enumerated() {
                let at = "\(path).messages[\(index)]"
                guard case .object(let entry) = item else { throw error(at, "a message is {role, content}") }
                try allowOnly(entry, ["role", "content"], at: at)
                let role = try string(entry, "role", at: at)
                guard ["system", "developer", "user", "assistant"].contains(role) else {
                    throw error(at + ".role", "'\(role)' is not a role (system, developer, user, assistant)")
                }
                guard let content = try optionalExpression(entry, "content", at: at) else { throw error(at, "missing 'content'") }
                templates.append(.init(role: role, content: content))
            }
            messages = .templates(templates)
        case let other?: throw error(path + ".messages", "must be a list of {role, content} or one expression, not \(other.typeName)")
        }
        var stream = true
        if let value = spec["stream"] {
            guard let flag = value.boolValue else { throw error(path + ".stream", "must be true or false") }
            stream = flag
        }
        var temperature: Double?
        if let value = spec["temperature"] {
            guard let number = value.doubleValue, number >= 0, number <= 2 else { throw error(path + ".temperature", "must be a number from 0 to 2") }
            temperature = number
        }
        var maxTokens: Int?
        if let value = spec["maxTokens"] {
            guard let number = value.intValue, number >= 1, number <= 10_000_000 else { throw error(path + ".maxTokens", "must be a whole number, 1 or more") }
            maxTokens = number
        }
        let responseSchema = spec["responseSchema"]
        if let responseSchema {
            do { _ = try JSONSchema(responseSchema) } catch { throw self.error(path + ".responseSchema", "invalid JSON Schema: \(error)") }
        }
        var maxToolRounds = 8
        if let value = spec["maxToolRounds"] {
            guard let number = value.intValue, number >= 1, number <= 100 else { throw error(path + ".maxToolRounds", "must be a whole number from 1 to 100") }
            maxToolRounds = number
        }
        var timeout = 300.0
        if let value = spec["timeout"] {
            guard let text = value.stringValue, let seconds = parseDuration(text), seconds > 0, seconds <= Self.maximumDuration else {
                throw error(path + ".timeout", "must be a duration like 30s or 5m (how long one answer of the model may take), up to 30d")
            }
            timeout = seconds
        }
        let conversation = try optionalString(spec, "conversation", at: path)
        if let conversation, conversation.isEmpty { throw error(path + ".conversation", "must name a shared-state key") }
        let tools = try llmTools(id, spec["tools"], at: path + ".tools")
        let toolIDs = Set(tools.map(\.executor))
        let successors = Self.edgeTargets(from: id, in: document["edges"]).filter { !toolIDs.contains($0) }
        return LLMConfiguration(baseURL: baseURL, model: model, apiKey: apiKey, credentialsDirectory: settings.credentialsDirectory,
                                messages: messages, stream: stream, temperature: temperature, maxTokens: maxTokens,
                                responseSchema: responseSchema, tools: tools, maxToolRounds: maxToolRounds, timeout: timeout,
                                conversation: conversation, successors: successors)
    }

    private func llmTools(_ id: String, _ value: JSON?, at path: String) throws(DefinitionError) -> [LLMConfiguration.Tool] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw error(path, "must be a list of {executor, description?, parameters?, approve?}") }
        let executors = document["executors"]?.objectValue ?? [:]
        var tools: [LLMConfiguration.Tool] = []
        for (index, item) in items.enumerated() {
            let at = "\(path)[\(index)]"
            guard case .object(let entry) = item else { throw error(at, "a tool is {executor, description?, parameters?, approve?}") }
            try allowOnly(entry, ["executor", "description", "parameters", "approve"], at: at)
            let executor = try string(entry, "executor", at: at)
            guard executors[executor] != nil else { throw error(at + ".executor", "unknown executor '\(executor)'") }
            guard executor != id else { throw error(at + ".executor", "an llm step cannot be its own tool") }
            let name = LLMConfiguration.Tool.name(of: executor)
            guard !tools.contains(where: { $0.name == name }) else {
                throw error(at + ".executor", "'\(executor)' is already a tool of this step (as '\(name)')")
            }
            let parameters = entry["parameters"] ?? ["type": "object"]
            do { _ = try JSONSchema(parameters) } catch { throw self.error(at + ".parameters", "invalid JSON Schema: \(error)") }
            guard parameters["type"]?.stringValue == "object" else {
                throw error(at + ".parameters", "must be a JSON Schema of type object (a tool's arguments are an object)")
            }
            var approve = false
            if let flag = entry["approve"] {
                guard let value = flag.boolValue else { throw error(at + ".approve", "must be true or false") }
                approve = value
            }
            tools.append(.init(executor: executor, description: try optionalString(entry, "description", at: at), parameters: parameters, approve: approve))
        }
        return tools
    }

    /// Every executor an edge written from `source` may reach (plain, fan-out, switch, fan-in).
    static func edgeTargets(from source: String, in edges: JSON?) -> [String] {
        var targets: [String] = []
        func add(_ value: JSON?) {
            if let id = value?.stringValue, !targets.contains(id) { targets.append(id) }
        }
        for edge in edges?.arrayValue ?? [] {
            let from = edge["from"]
            guard from?.stringValue == source || from?.arrayValue?.contains(.string(source)) == true else { continue }
            if let list = edge["to"]?.arrayValue { list.forEach { add($0) } } else { add(edge["to"]) }
            for item in edge["switch"]?.arrayValue ?? [] {
                add(item["to"])
                add(item["default"])
            }
        }
        return targets
    }

    /// An `llm` step talks with its tools along edges: to each tool and back, added where the
    /// definition does not write them.
    func addToolEdges(_ executors: JSONObject, to builder: inout WorkflowBuilder) {
        for id in executors.keys.sorted() where executors[id]?["kind"]?.stringValue == "llm" {
            let targets = Self.edgeTargets(from: id, in: document["edges"])
            for tool in executors[id]?["tools"]?.arrayValue ?? [] {
                guard let executor = tool["executor"]?.stringValue else { continue }
                if !targets.contains(executor) { builder.addEdge(from: id, to: executor) }
                if !Self.edgeTargets(from: executor, in: document["edges"]).contains(id) { builder.addEdge(from: executor, to: id) }
            }
        }
    }
}
