import WorkflowProtocol
import WorkflowClient
import ArgumentParser
import WorkflowDefinitions
import WorkflowJSON

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check definition files, offline (no daemon needed).",
        discussion: "Each file is checked as the daemon would load it, beside the other definition files of its directory (so the sub-workflows it names resolve). Errors name the file, the line and the path inside the document. Exits 65 if any file has an error.")
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Argument(help: "Definition files (YAML or JSON).") var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one definition file") }
    }

    func run() throws {
        try Session.offline(json: json) { terminal in
            let checks = Definition.check(files: files)
            if json {
                let results: [JSON] = checks.map { check in
                    var object: JSONObject = ["file": .string(check.file), "valid": .bool(check.definition != nil)]
                    if let definition = check.definition {
                        object["name"] = .string(definition.name)
                        object["hash"] = .string(definition.graphHash)
                    }
                    object["errors"] = .array(check.errors.map { error in
                        var entry: JSONObject = ["file": .string(error.file), "path": .string(error.path), "message": .string(error.message)]
                        if let line = error.line { entry["line"] = .number(Double(line)) }
                        if let column = error.column { entry["column"] = .number(Double(column)) }
                        return .object(entry)
                    })
                    return .object(object)
                }
                terminal.json(["valid": .bool(checks.allSatisfy { $0.definition != nil }), "files": .array(results)])
            } else {
                for check in checks {
                    if let definition = check.definition {
                        terminal.line(terminal.styled("✓ ", .green) + "\(check.file): \(definition.name) (version \(definition.graphHash.prefix(12)))")
                    }
                    for error in check.errors { terminal.line(terminal.styled("✗ ", .red) + error.description) }
                }
            }
            return checks.allSatisfy { $0.definition != nil } ? .success : .invalidInput
        }
    }
}
