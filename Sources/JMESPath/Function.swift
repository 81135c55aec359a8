#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkflowJSON

/// A built-in function, resolved (name and arity checked) when the expression is compiled.
struct Function: Sendable {
    /// What an argument may be.
    struct ArgumentType: OptionSet, Sendable {
        let rawValue: Int
        static let number = ArgumentType(rawValue: 1)
        static let string = ArgumentType(rawValue: 2)
        static let boolean = ArgumentType(rawValue: 4)
        static let array = ArgumentType(rawValue: 8)
        static let object = ArgumentType(rawValue: 16)
        static let null = ArgumentType(rawValue: 32)
        static let expref = ArgumentType(rawValue: 64)
        static let arrayOfNumbers = ArgumentType(rawValue: 128)
        static let arrayOfStrings = ArgumentType(rawValue: 256)
        static let any: ArgumentType = [.number, .string, .boolean, .array, .object, .null]

        var description: String {
            var names: [String] = []
            if contains(.number) { names.append("number") }
            if contains(.string) { names.append("string") }
            if contains(.boolean) { names.append("boolean") }
            if contains(.array) { names.append("array") }
            if contains(.object) { names.append("object") }
            if contains(.null) { names.append("null") }
            if contains(.expref) { names.append("expression") }
            if contains(.arrayOfNumbers) { names.append("array of numbers") }
            if contains(.arrayOfStrings) { names.append("array of strings") }
            return names.joined(separator: " or ")
        }
    }

    typealias Body = @Sendable ([Argument], Interpreter) throws(JMESPathError) -> JSON

    let name: String
    let parameters: [ArgumentType]
    /// The last parameter may repeat (at least once).
    let variadic: Bool
    let body: Body

    static func resolve(_ name: String, arguments: Int, expression: String, position: Int) throws(JMESPathError) -> Function {
        guard let function = table[name] else {
            throw JMESPathError(.unknownFunction, "unknown function \(name)()", position: position, expression: expression)
        }
        let expected = function.parameters.count
        let ok = function.variadic ? arguments >= expected : arguments == expected
        if !ok {
            let wanted = function.variadic ? "at least \(expected)" : "\(expected)"
            throw JMESPathError(.invalidArity, "\(name)() takes \(wanted) argument\(expected == 1 ? "" : "s"), got \(arguments)",
                                position: position, expression: expression)
        }
        return function
    }

    func call(_ arguments: [Argument], interpreter: Interpreter) throws(JMESPathError) -> JSON {
        for (index, argument) in arguments.enumerated() {
            let allowed = parameters[min(index, parameters.count - 1)]
            if !Function.matches(argument, allowed) {
                let actual: String
                switch argument {
                case .expref: actual = "an expression"
                case .value(let value): actual = value.typeName
                }
                throw interpreter.error(.invalidType, "argument \(index + 1) of \(name)() must be \(allowed.description), got \(actual)")
            }
        }
        return try body(arguments, interpreter)
    }

    static func matches(_ argument: Argument, _ allowed: ArgumentType) -> Bool {
        switch argument {
        case .expref:
            return allowed.contains(.expref)
        case .value(let value):
            switch value {
            case .null: return allowed.contains(.null)
            case .bool: return allowed.contains(.boolean)
            case .number: return allowed.contains(.number)
            case .string: return allowed.contains(.string)
            case .object: return allowed.contains(.object)
            case .array(let elements):
                if allowed.contains(.array) { return true }
                if allowed.contains(.arrayOfNumbers) && elements.allSatisfy({ $0.doubleValue != nil }) { return true }
                if allowed.contains(.arrayOfStrings) && elements.allSatisfy({ $0.stringValue != nil }) { return true }
                return false
            }
        }
    }

    // MARK: The built-ins

    private static func value(_ arguments: [Argument], _ index: Int) -> JSON {
        if case .value(let value) = arguments[index] { return value }
        return .null
    }

    private static func expref(_ arguments: [Argument], _ index: Int) -> Node {
        if case .expref(let node) = arguments[index] { return node }
        return .identity
    }

    private static func numbers(_ json: JSON) -> [Double] { json.arrayValue?.compactMap(\.doubleValue) ?? [] }

    /// Sort keys for `sort`, `sort_by`, `max_by`, `min_by`: all numbers or all strings.
    private static func sortKeys(_ keys: [JSON], function: String, interpreter: Interpreter) throws(JMESPathError) -> Bool {
        if keys.allSatisfy({ $0.doubleValue != nil }) { return true }
        if keys.allSatisfy({ $0.stringValue != nil }) { return false }
        let found = Set(keys.map(\.typeName)).sorted().joined(separator: ", ")
        throw interpreter.error(.invalidType, "\(function)() needs values that are all numbers or all strings, got \(found)")
    }

    private static func less(_ a: JSON, _ b: JSON, numeric: Bool) -> Bool {
        numeric ? a.doubleValue! < b.doubleValue! : JSON.codepointLess(a.stringValue!, b.stringValue!)
    }

    private static func byKey(_ arguments: [Argument], _ interpreter: Interpreter, function: String,
                              pickMax: Bool) throws(JMESPathError) -> JSON {
        let elements = value(arguments, 0).arrayValue ?? []
        if elements.isEmpty { return .null }
        let node = expref(arguments, 1)
        var keys: [JSON] = []
        for element in elements { keys.append(try interpreter.evaluate(node, element)) }
        let numeric = try sortKeys(keys, function: function, interpreter: interpreter)
        var best = 0
        for index in keys.indices.dropFirst() {
            let better = pickMax ? less(keys[best], keys[index], numeric: numeric) : less(keys[index], keys[best], numeric: numeric)
            if better { best = index }
        }
        return elements[best]
    }

    static let table: [String: Function] = {
        var table: [String: Function] = [:]
        func add(_ name: String, _ parameters: [ArgumentType], variadic: Bool = false, _ body: @escaping Body) {
            table[name] = Function(name: name, parameters: parameters, variadic: variadic, body: body)
        }
        add("abs", [.number]) { a, _ in .number(Swift.abs(value(a, 0).doubleValue!)) }
        add("avg", [.arrayOfNumbers]) { a, _ in
            let values = numbers(value(a, 0))
            return values.isEmpty ? .null : .number(values.reduce(0, +) / Double(values.count))
        }
        add("ceil", [.number]) { a, _ in .number(value(a, 0).doubleValue!.rounded(.up)) }
        add("floor", [.number]) { a, _ in .number(value(a, 0).doubleValue!.rounded(.down)) }
        add("contains", [[.array, .string], .any]) { a, _ in
            let subject = value(a, 0), search = value(a, 1)
            if case .array(let elements) = subject { return .bool(elements.contains(search)) }
            guard case .string(let text) = subject, case .string(let needle) = search else { return false }
            return .bool(needle.isEmpty || text.contains(needle))
        }
        add("ends_with", [.string, .string]) { a, _ in
            .bool(value(a, 0).stringValue!.unicodeScalars.reversed().starts(with: value(a, 1).stringValue!.unicodeScalars.reversed()))
        }
        add("starts_with", [.string, .string]) { a, _ in
            .bool(value(a, 0).stringValue!.unicodeScalars.starts(with: value(a, 1).stringValue!.unicodeScalars))
        }
        add("join", [.string, .arrayOfStrings]) { a, _ in
            .string((value(a, 1).arrayValue ?? []).compactMap(\.stringValue).joined(separator: value(a, 0).stringValue!))
        }
        add("keys", [.object]) { a, _ in
            .array(value(a, 0).objectValue!.keys.sorted(by: JSON.codepointLess).map { .string($0) })
        }
        add("values", [.object]) { a, _ in
            let object = value(a, 0).objectValue!
            return .array(object.keys.sorted(by: JSON.codepointLess).map { object[$0]! })
        }
        add("length", [[.string, .array, .object]]) { a, _ in
            switch value(a, 0) {
            case .string(let s): .number(Double(s.unicodeScalars.count))
            case .array(let elements): .number(Double(elements.count))
            case .object(let object): .number(Double(object.count))
            default: .null
            }
        }
        add("map", [.expref, .array]) { a, interpreter throws(JMESPathError) in
            let node = expref(a, 0)
            var results: [JSON] = []
            for element in value(a, 1).arrayValue ?? [] { results.append(try interpreter.evaluate(node, element)) }
            return .array(results)
        }
        add("max", [[.arrayOfNumbers, .arrayOfStrings]]) { a, interpreter throws(JMESPathError) in
            let elements = value(a, 0).arrayValue ?? []
            guard var best = elements.first else { return .null }
            let numeric = best.doubleValue != nil
            for element in elements.dropFirst() where less(best, element, numeric: numeric) { best = element }
            return best
        }
        add("min", [[.arrayOfNumbers, .arrayOfStrings]]) { a, interpreter throws(JMESPathError) in
            let elements = value(a, 0).arrayValue ?? []
            guard var best = elements.first else { return .null }
            let numeric = best.doubleValue != nil
            for element in elements.dropFirst() where less(element, best, numeric: numeric) { best = element }
            return best
        }
        add("max_by", [.array, .expref]) { a, interpreter throws(JMESPathError) in
            try byKey(a, interpreter, function: "max_by", pickMax: true)
        }
        add("min_by", [.array, .expref]) { a, interpreter throws(JMESPathError) in
            try byKey(a, interpreter, function: "min_by", pickMax: false)
        }
        add("merge", [.object], variadic: true) { a, _ in
            var merged = JSONObject()
            for index in a.indices {
                for (key, item) in value(a, index).objectValue! { merged[key] = item }
            }
            return .object(merged)
        }
        add("not_null", [.any], variadic: true) { a, _ in
            for index in a.indices where !value(a, index).isNull { return value(a, index) }
            return .null
        }
        add("reverse", [[.string, .array]]) { a, _ in
            switch value(a, 0) {
            case .string(let s): .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            case .array(let elements): .array(elements.reversed())
            default: .null
            }
        }
        add("sort", [[.arrayOfNumbers, .arrayOfStrings]]) { a, _ in
            let elements = value(a, 0).arrayValue ?? []
            guard let first = elements.first else { return .array([]) }
            let numeric = first.doubleValue != nil
            return .array(elements.sorted { less($0, $1, numeric: numeric) })
        }
        add("sort_by", [.array, .expref]) { a, interpreter throws(JMESPathError) in
            let elements = value(a, 0).arrayValue ?? []
            if elements.isEmpty { return .array([]) }
            let node = expref(a, 1)
            var keys: [JSON] = []
            for element in elements { keys.append(try interpreter.evaluate(node, element)) }
            let numeric = try sortKeys(keys, function: "sort_by", interpreter: interpreter)
            // Stable: ties keep their original order.
            let order = keys.indices.sorted { less(keys[$0], keys[$1], numeric: numeric) || (!less(keys[$1], keys[$0], numeric: numeric) && $0 < $1) }
            return .array(order.map { elements[$0] })
        }
        add("sum", [.arrayOfNumbers]) { a, _ in .number(numbers(value(a, 0)).reduce(0, +)) }
        add("to_array", [.any]) { a, _ in
            let v = value(a, 0)
            if case .array = v { return v }
            return .array([v])
        }
        add("to_string", [.any]) { a, _ in
            let v = value(a, 0)
            if case .string = v { return v }
            return .string(v.serialized(sortedKeys: false))
        }
        add("to_number", [.any]) { a, _ in
            switch value(a, 0) {
            case .number(let n): return .number(n)
            case .string(let s):
                guard let parsed = try? JSON(parsing: s), case .number(let n) = parsed else { return .null }
                return .number(n)
            default: return .null
            }
        }
        add("type", [.any]) { a, _ in .string(value(a, 0).typeName) }
        return table
    }()
}
