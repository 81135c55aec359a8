import WorkflowJSON

/// Turns a schema document into compiled nodes: finds every schema resource (`$id`), anchor and
/// dynamic anchor, resolves `$ref` and `$dynamicRef` (to the document, its embedded resources,
/// or the built-in 2020-12 meta-schemas) and checks every keyword's value.
final class SchemaCompiler {
    struct Location: Hashable {
        var document: String
        var pointer: [String]

        var key: String { document + "#" + pointer.map { "/" + pointerEscape($0) }.joined() }
    }

    private enum Shape { case single, array, map }

    /// Keywords whose values are (or contain) subschemas.
    private static let schemaKeywords: [(String, Shape)] = [
        ("additionalProperties", .single), ("propertyNames", .single), ("items", .single), ("contains", .single),
        ("not", .single), ("if", .single), ("then", .single), ("else", .single), ("unevaluatedItems", .single),
        ("unevaluatedProperties", .single), ("contentSchema", .single),
        ("prefixItems", .array), ("allOf", .array), ("anyOf", .array), ("oneOf", .array),
        ("$defs", .map), ("definitions", .map), ("properties", .map), ("patternProperties", .map), ("dependentSchemas", .map),
    ]

    private(set) var nodes: [SchemaNode] = []
    private(set) var dynamicAnchorNodes: [String: Int] = [:]
    private let rootDocument: String
    private var documents: [String: JSON] = [:]
    private var resources: [String: Location] = [:]
    private var anchors: [String: Location] = [:]
    private var dynamicAnchors: [String: Location] = [:]
    private var bases: [String: String] = [:]
    private var indexByLocation: [String: Int] = [:]
    private var usesDynamicReferences = false

    init(rootDocument: String) {
        self.rootDocument = rootDocument
    }

    /// Compiles `schema` (the root document) and returns the root node's index.
    func compile(_ schema: JSON) throws(SchemaError) -> Int {
        documents[rootDocument] = schema
        resources[rootDocument] = Location(document: rootDocument, pointer: [])
        scan(schema, Location(document: rootDocument, pointer: []), base: rootDocument)
        let root = try node(at: Location(document: rootDocument, pointer: []))
        if usesDynamicReferences {
            // Every dynamic anchor of every loaded document may be the target of a dynamic reference.
            var done = Set<String>()
            while let (key, location) = dynamicAnchors.first(where: { !done.contains($0.key) }) {
                done.insert(key)
                dynamicAnchorNodes[key] = try node(at: location)
            }
        }
        return root
    }

    // MARK: Scanning

    private func scan(_ value: JSON, _ location: Location, base: String) {
        guard case .object(let object) = value else {
            bases[location.key] = base
            return
        }
        var base = base
        if let id = object["$id"]?.stringValue {
            base = URIReference(id).resolved(against: URIReference(base)).withoutFragment.text
            resources[base] = location
        }
        bases[location.key] = base
        if let anchor = object["$anchor"]?.stringValue { anchors[base + "#" + anchor] = location }
        if let anchor = object["$dynamicAnchor"]?.stringValue {
            anchors[base + "#" + anchor] = location
            dynamicAnchors[base + "#" + anchor] = location
        }
        for (keyword, shape) in Self.schemaKeywords {
            guard let child = object[keyword] else { continue }
            switch shape {
            case .single:
                scan(child, Location(document: location.document, pointer: location.pointer + [keyword]), base: base)
            case .array:
                for (index, element) in (child.arrayValue ?? []).enumerated() {
                    scan(element, Location(document: location.document, pointer: location.pointer + [keyword, String(index)]), base: base)
                }
            case .map:
                for (key, element) in child.objectValue ?? [:] {
                    scan(element, Location(document: location.document, pointer: location.pointer + [keyword, key]), base: base)
                }
            }
        }
    }

    /// The location of the resource with this URI, loading a built-in meta-schema if needed.
    private func resource(_ uri: String) throws(SchemaError) -> Location? {
        if let location = resources[uri] { return location }
        guard let text = MetaSchemas.documents[uri] else { return nil }
        let document: JSON
        do { document = try JSON(parsing: text) } catch { throw SchemaError(path: uri, "built-in meta-schema does not parse: \(error)") }
        documents[uri] = document
        scan(document, Location(document: uri, pointer: []), base: uri)
        resources[uri] = resources[uri] ?? Location(document: uri, pointer: [])
        return resources[uri]
    }

    private func value(at location: Location) -> JSON? {
        var current = documents[location.document]
        for token in location.pointer {
            switch current {
            case .object(let object): current = object[token]
            case .array(let array):
                guard let index = Int(token), array.indices.contains(index) else { return nil }
                current = array[index]
            default: return nil
            }
        }
        return current
    }

    private func base(of location: Location) -> String {
        if let base = bases[location.key] { return base }
        var pointer = location.pointer
        while !pointer.isEmpty {
            pointer.removeLast()
            if let base = bases[Location(document: location.document, pointer: pointer).key] { return base }
        }
        return location.document
    }

    private func describe(_ location: Location) -> String {
        let pointer = location.pointer.map { "/" + pointerEscape($0) }.joined()
        return location.document == rootDocument ? (pointer.isEmpty ? "#" : "#" + pointer) : location.document + "#" + pointer
    }

    // MARK: Compiling

    private func node(at location: Location) throws(SchemaError) -> Int {
        let key = location.key
        if let index = indexByLocation[key] { return index }
        guard let value = value(at: location) else {
            throw SchemaError(path: describe(location), "no schema at this location")
        }
        let index = nodes.count
        nodes.append(.always(true, location: describe(location)))
        indexByLocation[key] = index
        nodes[index] = try build(value, at: location)
        return index
    }

    private func build(_ value: JSON, at location: Location) throws(SchemaError) -> SchemaNode {
        let path = describe(location)
        switch value {
        case .bool(let allowed):
            return .always(allowed, location: path)
        case .object(let object):
            return .object(try buildObject(object, at: location, path: path))
        default:
            throw SchemaError(path: path, "a schema must be an object or a boolean, not \(value.typeName)")
        }
    }

    private func buildObject(_ o: JSONObject, at location: Location, path: String) throws(SchemaError) -> ObjectSchema {
        let base = base(of: location)
        let s = ObjectSchema(location: path, resource: base)
        func at(_ keyword: String) -> String { path == "#" ? "#/" + pointerEscape(keyword) : path + "/" + pointerEscape(keyword) }
        func child(_ tokens: String...) throws(SchemaError) -> Int {
            try node(at: Location(document: location.document, pointer: location.pointer + tokens))
        }
        func count(_ keyword: String) throws(SchemaError) -> Int? {
            guard let value = o[keyword] else { return nil }
            guard let n = value.doubleValue, n >= 0, n.rounded() == n, n < 9e15 else {
                throw SchemaError(path: at(keyword), "\(keyword) must be a non-negative integer")
            }
            return Int(n)
        }
        func number(_ keyword: String) throws(SchemaError) -> Double? {
            guard let value = o[keyword] else { return nil }
            guard let n = value.doubleValue else { throw SchemaError(path: at(keyword), "\(keyword) must be a number") }
            return n
        }
        func pattern(_ source: String, _ where_: String) throws(SchemaError) -> Pattern {
            do { return try Pattern(source) } catch {
                throw SchemaError(path: where_, "'\(source)' is not a valid regular expression: \(error)")
            }
        }
        func schemaArray(_ keyword: String) throws(SchemaError) -> [Int] {
            guard let value = o[keyword] else { return [] }
            guard let array = value.arrayValue, !array.isEmpty else {
                throw SchemaError(path: at(keyword), "\(keyword) must be a non-empty array of schemas")
            }
            var result: [Int] = []
            for index in array.indices { result.append(try child(keyword, String(index))) }
            return result
        }
        func schemaMap(_ keyword: String) throws(SchemaError) -> [(String, Int)] {
            guard let value = o[keyword] else { return [] }
            guard let object = value.objectValue else { throw SchemaError(path: at(keyword), "\(keyword) must be an object of schemas") }
            var result: [(String, Int)] = []
            for key in object.keys.sorted() { result.append((key, try child(keyword, key))) }
            return result
        }
        func strings(_ value: JSON, _ path: String, _ what: String) throws(SchemaError) -> [String] {
            guard let array = value.arrayValue else { throw SchemaError(path: path, "\(what) must be an array of strings") }
            var names: [String] = []
            for element in array {
                guard let name = element.stringValue else { throw SchemaError(path: path, "\(what) must be an array of strings") }
                names.append(name)
            }
            return names
        }
        func optionalChild(_ keyword: String) throws(SchemaError) -> Int? {
            o[keyword] == nil ? nil : try child(keyword)
        }

        // Core
        for keyword in ["$id", "$anchor", "$dynamicAnchor", "$ref", "$dynamicRef", "$schema", "$comment"] {
            if let value = o[keyword], value.stringValue == nil {
                throw SchemaError(path: at(keyword), "\(keyword) must be a string")
            }
        }
        if let ref = o["$ref"]?.stringValue {
            s.ref = try resolve(ref, base: base, path: at("$ref"))
        }
        if let ref = o["$dynamicRef"]?.stringValue {
            let target = try resolve(ref, base: base, path: at("$dynamicRef"))
            let uri = URIReference(ref).resolved(against: URIReference(base))
            var anchor: String?
            if let fragment = uri.fragment, !fragment.isEmpty, !fragment.hasPrefix("/"),
               dynamicAnchors[uri.withoutFragment.text + "#" + fragment] != nil {
                anchor = fragment
                usesDynamicReferences = true
            }
            s.dynamicRef = DynamicReference(target: target, anchor: anchor)
        }

        // Validation: any type
        if let type = o["type"] {
            var mask: TypeMask = []
            let names: [JSON] = type.arrayValue ?? [type]
            for name in names {
                guard let text = name.stringValue, let match = TypeMask.names.first(where: { $0.0 == text }) else {
                    throw SchemaError(path: at("type"), "type must be one of null, boolean, object, array, number, string, integer (or a list of them), got \(name)")
                }
                mask.insert(match.1)
            }
            s.types = mask
        }
        if let values = o["enum"] {
            guard let array = values.arrayValue else { throw SchemaError(path: at("enum"), "enum must be an array") }
            s.enumValues = array
        }
        if let value = o["const"] {
            s.constValue = value
            s.hasConst = true
        }
        // Numbers
        s.minimum = try number("minimum")
        s.maximum = try number("maximum")
        s.exclusiveMinimum = try number("exclusiveMinimum")
        s.exclusiveMaximum = try number("exclusiveMaximum")
        if let multiple = try number("multipleOf") {
            guard multiple > 0 else { throw SchemaError(path: at("multipleOf"), "multipleOf must be greater than 0") }
            s.multipleOf = multiple
        }
        // Strings
        s.minLength = try count("minLength")
        s.maxLength = try count("maxLength")
        if let value = o["pattern"] {
            guard let source = value.stringValue else { throw SchemaError(path: at("pattern"), "pattern must be a string") }
            s.pattern = try pattern(source, at("pattern"))
        }
        // Arrays
        s.prefixItems = try schemaArray("prefixItems")
        s.items = try optionalChild("items")
        s.contains = try optionalChild("contains")
        s.minContains = try count("minContains")
        s.maxContains = try count("maxContains")
        s.minItems = try count("minItems")
        s.maxItems = try count("maxItems")
        if let value = o["uniqueItems"] {
            guard let flag = value.boolValue else { throw SchemaError(path: at("uniqueItems"), "uniqueItems must be a boolean") }
            s.uniqueItems = flag
        }
        s.unevaluatedItems = try optionalChild("unevaluatedItems")
        // Objects
        for (key, index) in try schemaMap("properties") { s.properties[key] = index }
        for (key, index) in try schemaMap("patternProperties") {
            s.patternProperties.append((try pattern(key, at("patternProperties") + "/" + pointerEscape(key)), index))
        }
        s.additionalProperties = try optionalChild("additionalProperties")
        s.propertyNames = try optionalChild("propertyNames")
        if let value = o["required"] { s.required = try strings(value, at("required"), "required") }
        s.minProperties = try count("minProperties")
        s.maxProperties = try count("maxProperties")
        if let value = o["dependentRequired"] {
            guard let object = value.objectValue else { throw SchemaError(path: at("dependentRequired"), "dependentRequired must be an object") }
            for key in object.keys.sorted() {
                let path = at("dependentRequired") + "/" + pointerEscape(key)
                s.dependentRequired.append((key, try strings(object[key]!, path, "dependentRequired/\(key)")))
            }
        }
        s.dependentSchemas = try schemaMap("dependentSchemas").map { ($0.0, $0.1) }
        s.unevaluatedProperties = try optionalChild("unevaluatedProperties")
        // Applicators
        s.allOf = try schemaArray("allOf")
        s.anyOf = try schemaArray("anyOf")
        s.oneOf = try schemaArray("oneOf")
        s.not = try optionalChild("not")
        s.ifSchema = try optionalChild("if")
        s.thenSchema = try optionalChild("then")
        s.elseSchema = try optionalChild("else")
        // $defs are compiled when referenced; compile them anyway so errors in them surface now.
        _ = try schemaMap("$defs")
        _ = try schemaMap("definitions")
        return s
    }

    /// Resolves a `$ref`-style reference against `base` to a compiled node.
    private func resolve(_ reference: String, base: String, path: String) throws(SchemaError) -> Int {
        let uri = URIReference(reference).resolved(against: URIReference(base))
        let resourceURI = uri.withoutFragment.text
        let fragment = percentDecoded(uri.fragment ?? "")
        guard let resource = try resource(resourceURI) else {
            throw SchemaError(path: path, "cannot resolve '\(reference)': no schema with URI \(resourceURI) is known (remote schemas are not fetched)")
        }
        if fragment.isEmpty || fragment.hasPrefix("/") {
            guard let tokens = pointerTokens(fragment) else { throw SchemaError(path: path, "'\(reference)' has an invalid JSON Pointer") }
            let target = Location(document: resource.document, pointer: resource.pointer + tokens)
            guard value(at: target) != nil else {
                throw SchemaError(path: path, "cannot resolve '\(reference)': nothing at \(describe(target))")
            }
            return try node(at: target)
        }
        guard let target = anchors[resourceURI + "#" + fragment] else {
            throw SchemaError(path: path, "cannot resolve '\(reference)': no anchor '\(fragment)' in \(resourceURI)")
        }
        return try node(at: target)
    }
}
