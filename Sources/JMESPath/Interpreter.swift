import WorkflowJSON

/// Evaluates a compiled tree against a value (the semantics of the JMESPath specification).
struct Interpreter {
    let expression: String

    func error(_ kind: JMESPathError.Kind, _ message: String) -> JMESPathError {
        JMESPathError(kind, message, expression: expression)
    }

    func evaluate(_ node: Node, _ value: JSON) throws(JMESPathError) -> JSON {
        switch node {
        case .identity:
            return value
        case .field(let name):
            if case .object(let object) = value { return object[name] ?? .null }
            return .null
        case .subexpression(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .index(let position):
            guard case .array(let array) = value else { return .null }
            let resolved = position < 0 ? array.count + position : position
            return array.indices.contains(resolved) ? array[resolved] : .null
        case .slice(let start, let stop, let step):
            guard case .array(let array) = value else { return .null }
            return .array(try slice(array, start, stop, step))
        case .indexExpression(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .projection(let left, let right):
            guard case .array(let base) = try evaluate(left, value) else { return .null }
            var collected: [JSON] = []
            collected.reserveCapacity(base.count)
            for element in base {
                let result = try evaluate(right, element)
                if !result.isNull { collected.append(result) }
            }
            return .array(collected)
        case .valueProjection(let left, let right):
            guard case .object(let base) = try evaluate(left, value) else { return .null }
            var collected: [JSON] = []
            for key in base.keys.sorted(by: JSON.codepointLess) {
                let result = try evaluate(right, base[key]!)
                if !result.isNull { collected.append(result) }
            }
            return .array(collected)
        case .filterProjection(let left, let right, let condition):
            guard case .array(let base) = try evaluate(left, value) else { return .null }
            var collected: [JSON] = []
            for element in base where try evaluate(condition, element).isTruthy {
                let result = try evaluate(right, element)
                if !result.isNull { collected.append(result) }
            }
            return .array(collected)
        case .flatten(let inner):
            guard case .array(let base) = try evaluate(inner, value) else { return .null }
            var merged: [JSON] = []
            for element in base {
                if case .array(let nested) = element { merged.append(contentsOf: nested) } else { merged.append(element) }
            }
            return .array(merged)
        case .multiSelectList(let items):
            if value.isNull { return .null }
            var results: [JSON] = []
            results.reserveCapacity(items.count)
            for item in items { results.append(try evaluate(item, value)) }
            return .array(results)
        case .multiSelectHash(let pairs):
            if value.isNull { return .null }
            var object = JSONObject(minimumCapacity: pairs.count)
            for pair in pairs { object[pair.key] = try evaluate(pair.value, value) }
            return .object(object)
        case .comparator(let comparator, let left, let right):
            return compare(comparator, try evaluate(left, value), try evaluate(right, value))
        case .or(let left, let right):
            let matched = try evaluate(left, value)
            return matched.isTruthy ? matched : try evaluate(right, value)
        case .and(let left, let right):
            let matched = try evaluate(left, value)
            return matched.isTruthy ? try evaluate(right, value) : matched
        case .not(let inner):
            return .bool(!(try evaluate(inner, value).isTruthy))
        case .pipe(let left, let right):
            return try evaluate(right, try evaluate(left, value))
        case .literal(let literal):
            return literal
        case .function(let function, let arguments):
            var resolved: [Argument] = []
            resolved.reserveCapacity(arguments.count)
            for argument in arguments {
                if case .expref(let inner) = argument {
                    resolved.append(.expref(inner))
                } else {
                    resolved.append(.value(try evaluate(argument, value)))
                }
            }
            return try function.call(resolved, interpreter: self)
        case .expref:
            // An expression reference is only meaningful as a function argument.
            return .null
        }
    }

    func compare(_ comparator: Node.Comparator, _ left: JSON, _ right: JSON) -> JSON {
        switch comparator {
        case .eq: return .bool(left == right)
        case .ne: return .bool(left != right)
        default:
            // Ordering is defined for numbers only; anything else gives null.
            guard case .number(let a) = left, case .number(let b) = right else { return .null }
            switch comparator {
            case .lt: return .bool(a < b)
            case .lte: return .bool(a <= b)
            case .gt: return .bool(a > b)
            default: return .bool(a >= b)
            }
        }
    }

    /// Python-style slicing (negative indices count from the end; clamped; step may be negative).
    func slice(_ array: [JSON], _ start: Int?, _ stop: Int?, _ step: Int?) throws(JMESPathError) -> [JSON] {
        let step = step ?? 1
        guard step != 0 else { throw error(.invalidValue, "a slice step cannot be 0") }
        let count = array.count
        func adjust(_ value: Int?, default defaultValue: Int) -> Int {
            guard var value else { return defaultValue }
            if value < 0 {
                value += count
                if value < 0 { value = step < 0 ? -1 : 0 }
            } else if value >= count {
                value = step < 0 ? count - 1 : count
            }
            return value
        }
        let first = adjust(start, default: step < 0 ? count - 1 : 0)
        let end = adjust(stop, default: step < 0 ? -1 : count)
        var result: [JSON] = []
        var position = first
        if step > 0 {
            while position < end { result.append(array[position]); position += step }
        } else {
            while position > end { result.append(array[position]); position += step }
        }
        return result
    }
}
