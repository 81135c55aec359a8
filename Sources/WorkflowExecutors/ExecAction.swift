import WorkflowEngine

/// One thing an `exec` or `worker` program asks for.
enum ExecAction: Sendable, Equatable {
    case send(JSON, to: String?)
    case output(JSON)
    case setState(JSONObject)
    case event(String, JSON)

    /// Reads an action line, or nil if the value is not an action.
    init?(_ json: JSON) {
        guard case .object(let object) = json else { return nil }
        let keys = Set(object.keys)
        if let value = object["send"], keys.isSubset(of: ["send", "to"]) {
            if let to = object["to"], to.stringValue == nil { return nil }
            self = .send(value, to: object["to"]?.stringValue)
        } else if let value = object["output"], keys == ["output"] {
            self = .output(value)
        } else if case .object(let changes)? = object["setState"], keys == ["setState"] {
            self = .setState(changes)
        } else if case .string(let name)? = object["event"], keys.isSubset(of: ["event", "data"]) {
            self = .event(name, object["data"] ?? .null)
        } else {
            return nil
        }
    }

    /// Lines of actions, or else the whole output as one value to send; empty output sends nothing.
    static func parse(_ bytes: [UInt8]) throws -> [ExecAction] {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
        if lines.isEmpty { return [] }
        var actions: [ExecAction] = []
        for line in lines {
            guard let json = try? JSON(parsing: String(line)), let action = ExecAction(json) else {
                actions = []
                break
            }
            actions.append(action)
        }
        if !actions.isEmpty { return actions }
        do {
            return [.send(try JSON(parsing: text), to: nil)]
        } catch {
            let first = lines.first.map { String($0.prefix(200)) } ?? ""
            throw ExecFailure(description: "printed malformed output (\(error.message) at byte \(error.offset)); it must be one JSON value or JSON lines of actions; the output began: \(first)")
        }
    }

    func apply(to context: inout ExecutorContext) {
        switch self {
        case .send(let value, let to): context.send(value, to: to)
        case .output(let value): context.yieldOutput(value)
        case .setState(let changes): for (key, value) in changes { context.setState(key, value) }
        case .event(let name, let data): context.emit(name, data: data)
        }
    }
}
