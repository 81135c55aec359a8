import WorkflowEngine
import Yams

/// Reads a definition document (YAML, or JSON, which YAML includes) into JSON values, keeping
/// where each value came from so that errors can give a line.
struct DocumentReader {
    let file: String
    /// Dotted path → (line, column).
    private(set) var marks: [String: (line: Int, column: Int)] = [:]

    init(file: String) { self.file = file }

    func error(_ path: String, _ message: String) -> DefinitionError {
        let mark = marks[path]
        return DefinitionError(file: file, path: path, line: mark?.line, column: mark?.column, message)
    }

    mutating func read(_ text: String) throws(DefinitionError) -> JSON {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DefinitionError(file: file, path: "", "not valid YAML or JSON: \(Self.describe(error))")
        } catch {
            throw DefinitionError(file: file, path: "", "not valid YAML or JSON: \(error)")
        }
        guard let node else { throw DefinitionError(file: file, path: "", "the file is empty") }
        return try convert(node, path: "")
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key(s) \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }

    private mutating func convert(_ node: Node, path: String) throws(DefinitionError) -> JSON {
        if let mark = node.mark { marks[path] = (mark.line, mark.column) }
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return .bool(node.bool ?? false)
            case "tag:yaml.org,2002:int":
                guard let value = node.int else { throw error(path, "integer \(scalar.string) is out of range") }
                return .number(Double(value))
            case "tag:yaml.org,2002:float":
                guard let value = node.float, value.isFinite else { throw error(path, "\(scalar.string) is not a finite number") }
                return .number(value)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else { throw error(path, "keys must be strings") }
                let childPath = path.isEmpty ? scalar.string : path + "." + scalar.string
                if object[scalar.string] != nil { throw error(childPath, "'\(scalar.string)' appears twice") }
                object[scalar.string] = try convert(value, path: childPath)
            }
            return .object(object)
        case .sequence(let sequence):
            var array: [JSON] = []
            for (index, element) in sequence.enumerated() {
                array.append(try convert(element, path: "\(path)[\(index)]"))
            }
            return .array(array)
        case .alias:
            throw error(path, "YAML aliases are not supported in definitions")
        }
    }
}

/// `500ms`, `30s`, `5m`, `1h` → seconds.
func parseDuration(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        let number = text.dropLast(suffix.count)
        if let value = Double(number), value >= 0, value.isFinite { return value * scale }
    }
    return nil
}
