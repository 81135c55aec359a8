import JMESPath
import WorkflowEngine

/// What an `llm` step says (DESIGN.md §13), checked by the definition language.
package struct LLMConfiguration: Sendable {
    /// Where the API key comes from. The key itself is read at each call and is never part of
    /// the definition, the graph's hash, an event or a log line.
    package enum APIKey: Sendable, Hashable {
        /// No key (a local server).
        case none
        /// A file holding the key (surrounding whitespace trimmed).
        case file(String)
        /// A credential name in the daemon's credentials directory (`$CREDENTIALS_DIRECTORY`).
        case credential(String)
    }

    /// One message of the conversation as the definition writes it: a role and a JMESPath
    /// expression over `{message, state}` giving its content.
    package struct MessageTemplate: Sendable {
        package var role: String
        package var content: JMESPathExpression
        package init(role: String, content: JMESPathExpression) {
            self.role = role
            self.content = content
        }
    }

    /// How the messages are built.
    package enum Messages: Sendable {
        /// A list of templates.
        case templates([MessageTemplate])
        /// One expression giving the whole list of `{role, content}`.
        case expression(JMESPathExpression)
    }

    /// An executor of the same workflow the model may call as a tool.
    package struct Tool: Sendable {
        /// The executor that answers the call (its id, also the tool's name with `.` as `_`).
        package var executor: String
        /// What the model is told the tool does.
        package var description: String?
        /// A JSON Schema of the call's arguments (an object).
        package var parameters: JSON
        /// Whether a person approves each call first.
        package var approve: Bool
        package init(executor: String, description: String?, parameters: JSON, approve: Bool) {
            self.executor = executor
            self.description = description
            self.parameters = parameters
            self.approve = approve
        }
        /// The tool's name on the wire (OpenAI's names are `[a-zA-Z0-9_-]{1,64}`).
        package var name: String { Self.name(of: executor) }
        /// The wire name of a tool answered by `executor` (its id with `.` as `_`).
        package static func name(of executor: String) -> String { String(executor.map { $0 == "." ? "_" : $0 }) }
    }

    /// The server's base URL, up to and without `/chat/completions` (`https://api.openai.com/v1`).
    package var baseURL: String
    package var model: String
    package var apiKey: APIKey
    /// The daemon's credentials directory (systemd's `$CREDENTIALS_DIRECTORY`), for `.credential`.
    package var credentialsDirectory: String?
    package var messages: Messages
    /// Whether the answer streams (`llm_delta` events).
    package var stream: Bool
    package var temperature: Double?
    package var maxTokens: Int?
    /// A JSON Schema the answer must follow (`response_format: json_schema`); the final
    /// message's `content` is then the parsed JSON.
    package var responseSchema: JSON?
    package var tools: [Tool]
    /// How many times in one conversation the model may ask for tools.
    package var maxToolRounds: Int
    /// Seconds one call to the model may take, its streaming included.
    package var timeout: Double
    /// A shared-state key keeping the conversation across runs (user and assistant messages).
    package var conversation: String?
    /// Where the final message goes: the targets of this step's edges that are not its tools
    /// (none: it is an output of the run).
    package var successors: [String]

    package init(baseURL: String, model: String, apiKey: APIKey, credentialsDirectory: String?, messages: Messages, stream: Bool,
                 temperature: Double?, maxTokens: Int?, responseSchema: JSON?, tools: [Tool], maxToolRounds: Int, timeout: Double,
                 conversation: String?, successors: [String]) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.credentialsDirectory = credentialsDirectory
        self.messages = messages
        self.stream = stream
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.responseSchema = responseSchema
        self.tools = tools
        self.maxToolRounds = maxToolRounds
        self.timeout = timeout
        self.conversation = conversation
        self.successors = successors
    }

    /// The most conversation kept in shared state: older messages (after the system ones) go first.
    package static let conversationLimit = 200
    /// The longest answer read from a server (a runaway stream is cut, not buffered forever).
    package static let responseLimit = 16 << 20
}
