import WorkflowJSON

/// Evaluates an instance against compiled nodes.
struct Evaluator {
    let nodes: [SchemaNode]
    let dynamicAnchors: [String: Int]
    /// Schema resources entered, outermost first (the dynamic scope for `$dynamicRef`).
    var scope: [String] = []
    /// Collected failures; nil when only validity matters (then evaluation stops at the first).
    var errors: [ValidationError]?
    /// How many subschemas are being evaluated inside each other now. Deeper than
    /// ``maximumDepth`` the value is refused instead of exhausting the stack.
    var depth = 0
    static let maximumDepth = 256

    struct Outcome {
        var valid: Bool
        var annotations: Annotations

        static let invalid = Outcome(valid: false, annotations: Annotations())
    }

    private static func child(_ path: String, _ token: String) -> String { path + "/" + pointerEscape(token) }
    private static func child(_ path: String, _ index: Int) -> String { path + "/" + String(index) }

    private mutating func fail(_ path: String, _ schemaLocation: String, _ keyword: String, _ message: @autoclosure () -> String) {
        guard errors != nil else { return }
        let location = schemaLocation == "#" ? "#/" + keyword : schemaLocation + "/" + keyword
        errors!.append(ValidationError(instanceLocation: path, schemaLocation: location, keyword: keyword, message: message()))
    }

    /// Evaluates `instance` against a subschema, silently: its validity and annotations only.
    private mutating func check(_ index: Int, _ instance: JSON, _ path: String, annotate: Bool) -> (Outcome, [ValidationError]) {
        let saved = errors
        errors = saved == nil ? nil : []
        let outcome = evaluate(index, instance, path, annotate: annotate)
        let found = errors ?? []
        errors = saved
        return (outcome, found)
    }

    mutating func evaluate(_ index: Int, _ instance: JSON, _ path: String, annotate: Bool) -> Outcome {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth {
            fail(path, "#", "depth", "the value is nested too deep to validate (more than \(Self.maximumDepth) levels of schemas)")
            return .invalid
        }
        switch nodes[index] {
        case .always(let allowed, let location):
            if !allowed { fail(path, location, "false", "no value is allowed here") }
            return allowed ? Outcome(valid: true, annotations: Annotations()) : .invalid
        case .object(let schema):
            let entered = scope.last != schema.resource
            if entered { scope.append(schema.resource) }
            defer { if entered { scope.removeLast() } }
            return evaluateObject(schema, instance, path, annotate: annotate || schema.hasUnevaluated)
        }
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    private mutating func evaluateObject(_ s: ObjectSchema, _ instance: JSON, _ path: String, annotate: Bool) -> Outcome {
        var valid = true
        var annotations = Annotations()
        let silent = errors == nil
        let here = s.location

        func inPlace(_ index: Int, _ evaluator: inout Evaluator) -> Bool {
            let outcome = evaluator.evaluate(index, instance, path, annotate: annotate)
            if outcome.valid { annotations.merge(outcome.annotations) }
            return outcome.valid
        }

        if let ref = s.ref, !inPlace(ref, &self) {
            valid = false
            if silent { return .invalid }
        }
        if let dynamic = s.dynamicRef {
            var target = dynamic.target
            if let anchor = dynamic.anchor {
                for resource in scope {
                    if let found = dynamicAnchors[resource + "#" + anchor] {
                        target = found
                        break
                    }
                }
            }
            if !inPlace(target, &self) {
                valid = false
                if silent { return .invalid }
            }
        }

        // Any type
        if let types = s.types, !types.matches(instance) {
            fail(path, here, "type", "expected \(types.description), got \(instance.typeName)")
            valid = false
            if silent { return .invalid }
        }
        if let values = s.enumValues, !values.contains(instance) {
            let list = values.prefix(10).map { $0.serialized() }.joined(separator: ", ") + (values.count > 10 ? ", …" : "")
            fail(path, here, "enum", "must be one of \(list)")
            valid = false
            if silent { return .invalid }
        }
        if s.hasConst, let constant = s.constValue, instance != constant {
            fail(path, here, "const", "must be \(constant.serialized())")
            valid = false
            if silent { return .invalid }
        }

        switch instance {
        case .number(let n):
            var problems: [(String, String)] = []
            if let m = s.minimum, n < m { problems.append(("minimum", "must be at least \(format(m)) (got \(format(n)))")) }
            if let m = s.maximum, n > m { problems.append(("maximum", "must be at most \(format(m)) (got \(format(n)))")) }
            if let m = s.exclusiveMinimum, n <= m { problems.append(("exclusiveMinimum", "must be greater than \(format(m)) (got \(format(n)))")) }
            if let m = s.exclusiveMaximum, n >= m { problems.append(("exclusiveMaximum", "must be less than \(format(m)) (got \(format(n)))")) }
            if let m = s.multipleOf, !isMultiple(n, of: m) { problems.append(("multipleOf", "must be a multiple of \(format(m)) (got \(format(n)))")) }
            for (keyword, message) in problems { fail(path, here, keyword, message) }
            if !problems.isEmpty {
                valid = false
                if silent { return .invalid }
            }
        case .string(let text):
            if s.minLength != nil || s.maxLength != nil {
                let length = text.unicodeScalars.count
                if let m = s.minLength, length < m {
                    fail(path, here, "minLength", "must be at least \(m) character\(m == 1 ? "" : "s") long (got \(length))")
                    valid = false
                }
                if let m = s.maxLength, length > m {
                    fail(path, here, "maxLength", "must be at most \(m) character\(m == 1 ? "" : "s") long (got \(length))")
                    valid = false
                }
            }
            if let pattern = s.pattern, !pattern.matches(text) {
                fail(path, here, "pattern", "must match the pattern \(pattern.source)")
                valid = false
            }
            if !valid && silent { return .invalid }
        case .array(let elements):
            if !evaluateArray(s, elements, path, annotate: annotate, into: &annotations) {
                valid = false
                if silent { return .invalid }
            }
        case .object(let object):
            if !evaluateObjectKeywords(s, object, path, annotate: annotate, into: &annotations) {
                valid = false
                if silent { return .invalid }
            }
        default:
            break
        }

        // In-place applicators
        for index in s.allOf where !inPlace(index, &self) {
            valid = false
            if silent { return .invalid }
        }
        if !s.anyOf.isEmpty {
            var matched = false
            var branchErrors: [[ValidationError]] = []
            for index in s.anyOf {
                let (outcome, found) = check(index, instance, path, annotate: annotate)
                if outcome.valid {
                    matched = true
                    annotations.merge(outcome.annotations)
                    if !annotate { break }  // annotations need every branch; validity needs one
                } else {
                    branchErrors.append(found)
                }
            }
            if !matched {
                fail(path, here, "anyOf", "matches none of the \(s.anyOf.count) alternatives of anyOf" + Self.summary(branchErrors))
                valid = false
                if silent { return .invalid }
            }
        }
        if !s.oneOf.isEmpty {
            var matches: [Int] = []
            var branchErrors: [[ValidationError]] = []
            var matchedAnnotations = Annotations()
            for (position, index) in s.oneOf.enumerated() {
                let (outcome, found) = check(index, instance, path, annotate: annotate)
                if outcome.valid {
                    matches.append(position)
                    matchedAnnotations = outcome.annotations
                    if matches.count > 1 && silent { break }
                } else {
                    branchErrors.append(found)
                }
            }
            if matches.count == 1 {
                annotations.merge(matchedAnnotations)
            } else {
                if matches.isEmpty {
                    fail(path, here, "oneOf", "matches none of the \(s.oneOf.count) alternatives of oneOf" + Self.summary(branchErrors))
                } else {
                    fail(path, here, "oneOf", "matches alternatives \(matches.map(String.init).joined(separator: " and ")) of oneOf; it must match exactly one")
                }
                valid = false
                if silent { return .invalid }
            }
        }
        if let not = s.not {
            let (outcome, _) = check(not, instance, path, annotate: false)
            if outcome.valid {
                fail(path, here, "not", "must not match the schema in not")
                valid = false
                if silent { return .invalid }
            }
        }
        if let condition = s.ifSchema {
            let (outcome, _) = check(condition, instance, path, annotate: annotate)
            if outcome.valid {
                annotations.merge(outcome.annotations)
                if let then = s.thenSchema, !inPlace(then, &self) {
                    valid = false
                    if silent { return .invalid }
                }
            } else if let otherwise = s.elseSchema, !inPlace(otherwise, &self) {
                valid = false
                if silent { return .invalid }
            }
        }

        // Unevaluated (after everything else, from the annotations collected here)
        if let unevaluated = s.unevaluatedItems, case .array(let elements) = instance {
            for (position, element) in elements.enumerated() where !annotations.evaluatedItem(position) {
                let itemPath = Self.child(path, position)
                let outcome = evaluate(unevaluated, element, itemPath, annotate: false)
                if !outcome.valid {
                    if case .always(false, _) = nodes[unevaluated] {
                        errors?.removeLast()
                        fail(itemPath, here, "unevaluatedItems", "item \(position) is not allowed (unevaluatedItems)")
                    }
                    valid = false
                    if silent { return .invalid }
                }
            }
            annotations.allItems = true
        }
        if let unevaluated = s.unevaluatedProperties, case .object(let object) = instance {
            for key in object.keys.sorted() where !annotations.properties.contains(key) {
                let propertyPath = Self.child(path, key)
                let outcome = evaluate(unevaluated, object[key]!, propertyPath, annotate: false)
                if !outcome.valid {
                    if case .always(false, _) = nodes[unevaluated] {
                        errors?.removeLast()
                        fail(propertyPath, here, "unevaluatedProperties", "property '\(key)' is not allowed (unevaluatedProperties)")
                    }
                    valid = false
                    if silent { return .invalid }
                }
                annotations.properties.insert(key)
            }
        }
        return valid ? Outcome(valid: true, annotations: annotations) : .invalid
    }

    private mutating func evaluateArray(_ s: ObjectSchema, _ elements: [JSON], _ path: String, annotate: Bool,
                                        into annotations: inout Annotations) -> Bool {
        var valid = true
        let silent = errors == nil
        let here = s.location
        if let m = s.minItems, elements.count < m {
            fail(path, here, "minItems", "must have at least \(m) item\(m == 1 ? "" : "s") (got \(elements.count))")
            valid = false
            if silent { return false }
        }
        if let m = s.maxItems, elements.count > m {
            fail(path, here, "maxItems", "must have at most \(m) item\(m == 1 ? "" : "s") (got \(elements.count))")
            valid = false
            if silent { return false }
        }
        if s.uniqueItems {
            outer: for i in elements.indices {
                for j in elements.indices where j > i && elements[i] == elements[j] {
                    fail(path, here, "uniqueItems", "items \(i) and \(j) are equal; items must be unique")
                    valid = false
                    if silent { return false }
                    break outer
                }
            }
        }
        for (position, index) in s.prefixItems.enumerated() where position < elements.count {
            if !evaluate(index, elements[position], Self.child(path, position), annotate: false).valid {
                valid = false
                if silent { return false }
            }
        }
        annotations.prefix = max(annotations.prefix, min(elements.count, s.prefixItems.count))
        if let items = s.items {
            for position in s.prefixItems.count..<max(s.prefixItems.count, elements.count) {
                let itemPath = Self.child(path, position)
                if !evaluate(items, elements[position], itemPath, annotate: false).valid {
                    if case .always(false, _) = nodes[items] {
                        errors?.removeLast()
                        fail(itemPath, here, "items", "item \(position) is not allowed (only \(s.prefixItems.count) item\(s.prefixItems.count == 1 ? "" : "s") may be given)")
                    }
                    valid = false
                    if silent { return false }
                }
            }
            annotations.allItems = true
        }
        if let contains = s.contains {
            var matched = 0
            for (position, element) in elements.enumerated() {
                let (outcome, _) = check(contains, element, Self.child(path, position), annotate: false)
                if outcome.valid {
                    matched += 1
                    annotations.indexes.insert(position)
                }
            }
            let minimum = s.minContains ?? 1
            if matched < minimum {
                fail(path, here, "contains", "must contain at least \(minimum) item\(minimum == 1 ? "" : "s") matching contains (got \(matched))")
                valid = false
                if silent { return false }
            }
            if let maximum = s.maxContains, matched > maximum {
                fail(path, here, "maxContains", "must contain at most \(maximum) item\(maximum == 1 ? "" : "s") matching contains (got \(matched))")
                valid = false
                if silent { return false }
            }
        }
        return valid
    }

    private mutating func evaluateObjectKeywords(_ s: ObjectSchema, _ object: JSONObject, _ path: String, annotate: Bool,
                                                 into annotations: inout Annotations) -> Bool {
        var valid = true
        let silent = errors == nil
        let here = s.location
        for name in s.required where object[name] == nil {
            fail(path, here, "required", "missing required property '\(name)'")
            valid = false
            if silent { return false }
        }
        if let m = s.minProperties, object.count < m {
            fail(path, here, "minProperties", "must have at least \(m) propert\(m == 1 ? "y" : "ies") (got \(object.count))")
            valid = false
            if silent { return false }
        }
        if let m = s.maxProperties, object.count > m {
            fail(path, here, "maxProperties", "must have at most \(m) propert\(m == 1 ? "y" : "ies") (got \(object.count))")
            valid = false
            if silent { return false }
        }
        for (property, requires) in s.dependentRequired where object[property] != nil {
            for name in requires where object[name] == nil {
                fail(path, here, "dependentRequired", "property '\(property)' requires property '\(name)'")
                valid = false
                if silent { return false }
            }
        }
        let keys = object.keys.sorted()
        for key in keys {
            let value = object[key]!
            let propertyPath = Self.child(path, key)
            var covered = false
            if let index = s.properties[key] {
                covered = true
                annotations.properties.insert(key)
                if !evaluate(index, value, propertyPath, annotate: false).valid {
                    valid = false
                    if silent { return false }
                }
            }
            for (pattern, index) in s.patternProperties where pattern.matches(key) {
                covered = true
                annotations.properties.insert(key)
                if !evaluate(index, value, propertyPath, annotate: false).valid {
                    valid = false
                    if silent { return false }
                }
            }
            if !covered, let additional = s.additionalProperties {
                annotations.properties.insert(key)
                if !evaluate(additional, value, propertyPath, annotate: false).valid {
                    if case .always(false, _) = nodes[additional] {
                        errors?.removeLast()
                        fail(propertyPath, here, "additionalProperties", "property '\(key)' is not allowed")
                    }
                    valid = false
                    if silent { return false }
                }
            }
            if let names = s.propertyNames {
                let (outcome, found) = check(names, .string(key), path, annotate: false)
                if !outcome.valid {
                    fail(path, here, "propertyNames", "property name '\(key)' is not allowed" + Self.summary([found]))
                    valid = false
                    if silent { return false }
                }
            }
        }
        for (property, index) in s.dependentSchemas where object[property] != nil {
            let outcome = evaluate(index, .object(object), path, annotate: annotate)
            if outcome.valid { annotations.merge(outcome.annotations) } else {
                valid = false
                if silent { return false }
            }
        }
        return valid
    }

    private static func summary(_ branches: [[ValidationError]]) -> String {
        let firsts = branches.compactMap(\.first)
        guard !firsts.isEmpty else { return "" }
        return " (" + firsts.map(\.description).joined(separator: "; ") + ")"
    }

    private func isMultiple(_ value: Double, of divisor: Double) -> Bool {
        let quotient = value / divisor
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }

    private func format(_ n: Double) -> String { JSON.number(n).serialized() }
}
