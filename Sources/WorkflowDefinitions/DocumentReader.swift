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

    /// A definition is at most 1 MiB and nests at most 64 levels: bounds that no real
    /// definition comes near, and that keep reading one from exhausting memory or the stack.
    static let maximumSize = 1 << 20
    static let maximumDepth = 64

    mutating func read(_ text: String) throws(DefinitionError) -> JSON {
        guard text.utf8.count <= Self.maximumSize else {
            throw DefinitionError(file: file, path: "", "the file is larger than \(Self.maximumSize >> 20) MiB")
        }
        if let line = Self.lineNestingTooDeep(text) {
            throw DefinitionError(file: file, path: "", line: line, column: nil, "nesting deeper than \(Self.maximumDepth) levels")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DefinitionError(file: file, path: "", "not valid YAML or JSON: \(Self.describe(error))")
        } catch {
            throw DefinitionError(file: file, path: "", "not valid YAML or JSON: \(error)")
        }
        guard let node else { throw DefinitionError(file: file, path: "", "the file is empty") }
        return try convert(node, path: "", depth: 0)
    }

    /// The line where `[`/`{` brackets (outside quotes and comments) nest deeper than the limit,
    /// if they do: checked before the YAML parser sees the text (it would recurse as deep).
    static func lineNestingTooDeep(_ text: String) -> Int? {
        var depth = 0
        var line = 1
        var quote: UInt8?
        var comment = false
        var previous: UInt8 = 0x0A
        for byte in text.utf8 {
            defer { previous = byte }
            if byte == 0x0A {
                line += 1
                comment = false
                continue
            }
            if comment { continue }
            if let open = quote {
                if byte == open && (open == 0x27 || previous != 0x5C) { quote = nil }
                continue
            }
            switch byte {
            case 0x22, 0x27: quote = byte
            case 0x23 where previous == 0x20 || previous == 0x0A || previous == 0x09: comment = true
            case 0x5B, 0x7B:
                depth += 1
                if depth > maximumDepth { return line }
            case 0x5D, 0x7D: depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
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

    private mutating func convert(_ node: Node, path: String, depth: Int) throws(DefinitionError) -> JSON {
        if let mark = node.mark { marks[path] = (mark.line, mark.column) }
        guard depth <= Self.maximumDepth else { throw error(path, "nesting deeper than \(Self.maximumDepth) levels") }
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
                object[scalar.string] = try convert(value, path: childPath, depth: depth + 1)
            }
            return .object(object)
        case .sequence(let sequence):
            var array: [JSON] = []
            for (index, element) in sequence.enumerated() {
                array.append(try convert(element, path: "\(path)[\(index)]", depth: depth + 1))
            }
            return .array(array)
        case .alias:
            throw error(path, "YAML aliases are not supported in definitions")
        }
    }
}

/// `500ms`, `30s`, `5m`, `1h`, `2d` → seconds.
func parseDuration(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        let number = text.dropLast(suffix.count)
        if let value = Double(number), value >= 0, value.isFinite { return value * scale }
    }
    return nil
}
