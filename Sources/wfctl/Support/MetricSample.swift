/// One sample line of a Prometheus text exposition: `name{label="value",...} 1.5`.
struct MetricSample: Sendable, Hashable {
    var name: String
    var labels: [String: String]
    var value: Double

    /// The samples of an exposition (comments and lines that do not parse are skipped).
    static func parse(_ text: String) -> [MetricSample] {
        text.split(separator: "\n").compactMap { line in line.hasPrefix("#") ? nil : parse(line: line) }
    }

    /// One sample line, or nil.
    static func parse(line: Substring) -> MetricSample? {
        var rest = line[...]
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard !name.isEmpty else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while let first = rest.first, first != "}" {
                if first == "," || first == " " { rest = rest.dropFirst(); continue }
                let key = rest.prefix { $0 != "=" }
                rest = rest.dropFirst(key.count)
                guard rest.hasPrefix("=\"") else { return nil }
                rest = rest.dropFirst(2)
                var value = ""
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
                labels[String(key)] = value
            }
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = fields.first else { return nil }
        let value: Double? = switch first {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(first)
        }
        guard let value else { return nil }
        return MetricSample(name: String(name), labels: labels, value: value)
    }
}

extension Array where Element == MetricSample {
    /// The sum of the samples named `name` whose labels include `matching`.
    func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        lazy.filter { sample in sample.name == name && matching.allSatisfy { key, value in sample.labels[key] == value } }.reduce(0) { $0 + $1.value }
    }
}
