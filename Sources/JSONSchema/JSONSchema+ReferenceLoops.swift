extension JSONSchema {
    /// Finds a loop of subschemas that apply to the same value (`$ref`, `$dynamicRef`, `allOf`,
    /// `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`) without descending into it,
    /// such as `{"$ref": "#"}`: validating any value against it would never end, so the schema
    /// is refused when it is compiled. Loops that descend (`properties`, `items`, ...) are fine:
    /// they end with the value.
    static func referenceLoop(in nodes: [SchemaNode], dynamicAnchors: [String: Int]) -> [String]? {
        func name(of key: String) -> Substring { key[(key.lastIndex(of: "#").map { key.index(after: $0) } ?? key.startIndex)...] }
        var anchorsByName: [Substring: [Int]] = [:]
        for (key, index) in dynamicAnchors { anchorsByName[name(of: key), default: []].append(index) }
        func inPlace(_ index: Int) -> [Int] {
            guard case .object(let s) = nodes[index] else { return [] }
            var next: [Int] = []
            if let ref = s.ref { next.append(ref) }
            if let dynamic = s.dynamicRef {
                next.append(dynamic.target)
                if let anchor = dynamic.anchor { next += anchorsByName[Substring(anchor)] ?? [] }
            }
            next += s.allOf + s.anyOf + s.oneOf + s.dependentSchemas.map(\.schema)
            for optional in [s.not, s.ifSchema, s.thenSchema, s.elseSchema] { if let index = optional { next.append(index) } }
            return next
        }
        func location(_ index: Int) -> String {
            switch nodes[index] {
            case .always(_, let location): return location
            case .object(let s): return s.location
            }
        }
        // Iterative depth-first search (a schema may be deep): 0 unvisited, 1 on the path, 2 done.
        var color = [UInt8](repeating: 0, count: nodes.count)
        for start in nodes.indices where color[start] == 0 {
            var stack: [(node: Int, next: [Int], position: Int)] = [(start, inPlace(start), 0)]
            color[start] = 1
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].position == stack[top].next.count {
                    color[stack[top].node] = 2
                    stack.removeLast()
                    continue
                }
                let child = stack[top].next[stack[top].position]
                stack[top].position += 1
                guard child < nodes.count else { continue }
                if color[child] == 1 {
                    let path = stack.map(\.node)
                    let loop = path[(path.firstIndex(of: child) ?? 0)...] + [child]
                    return loop.map(location)
                }
                if color[child] == 0 {
                    color[child] = 1
                    stack.append((child, inPlace(child), 0))
                }
            }
        }
        return nil
    }
}
