import JSONSchema
import WorkflowJSON

/// A request's JSON Schema as an HTML form, and a posted form back as the JSON answer.
///
/// Objects become fieldsets, enums choices, booleans a yes/no pair, numbers number fields with
/// their bounds, strings text fields (email, URL and date fields by format), arrays of choices
/// checkboxes, arrays of plain values one per line, arrays of objects one fieldset per item with
/// an "add an item" button that works without JavaScript. What a form cannot show (`oneOf`, a
/// schema without a type) is a JSON field of its own, and the whole answer may be given as JSON.
///
/// Each field is named `v` followed by its JSON Pointer (`v/approved`, `v/items/0/name`), so an
/// error the schema reports at a pointer is shown at the field it concerns.
struct SchemaForm {
    /// Messages by JSON Pointer (`""` is the whole answer).
    typealias Errors = [String: String]

    let schema: JSON
    /// Makes the form's element ids unique on a page of several forms.
    let formID: String

    /// The name of the field that carries the whole answer as JSON (it wins when not empty).
    static let rawField = "__json"
    /// The name of the button that adds an item to an array of objects (its value: the array's pointer).
    static let addField = "__add"

    // MARK: Rendering

    /// The form's fields, filled from what was posted (`form`, after an error) or the schema's
    /// defaults; errors at their fields, those no field shows listed first.
    func fields(form: FormFields?, errors: Errors) -> String {
        var shown = Set<String>()
        let body = render(schema, pointer: "", label: nil, required: true, form: form, errors: errors, shown: &shown)
        let rest = errors.filter { !shown.contains($0.key) }.sorted { $0.key < $1.key }
        var out = ""
        if !rest.isEmpty {
            out += "<ul class=\"form-errors\" role=\"alert\">"
            for (pointer, message) in rest {
                out += "<li>\(pointer.isEmpty ? "" : "<code>\(HTML.escape(pointer))</code>: ")\(HTML.escape(message))</li>"
            }
            out += "</ul>"
        }
        out += body
        let raw = form?[Self.rawField] ?? ""
        out += """
            <details class="raw"\(raw.isEmpty ? "" : " open")><summary>Answer as JSON instead</summary>
            <label for="\(formID)-raw">The whole answer, as JSON (when filled in, it is sent instead of the fields above)</label>
            <textarea id="\(formID)-raw" name="\(Self.rawField)" rows="4" spellcheck="false">\(HTML.escape(raw))</textarea>
            </details>
            """
        return out
    }

    private func render(_ schema: JSON, pointer: String, label: String?, required: Bool, form: FormFields?, errors: Errors,
                        shown: inout Set<String>) -> String {
        let control = Self.control(schema)
        let name = "v" + pointer
        let id = formID + "-" + HTML.id(pointer.isEmpty ? "answer" : pointer)
        let title = schema["title"]?.stringValue ?? label ?? "Answer"
        let hint = schema["description"]?.stringValue
        // A leaf shows the errors of everything under it (a JSON field's inner paths); a fieldset its own.
        var message: String?
        switch control {
        case .object, .arrayOfObjects:
            message = errors[pointer]
            if message != nil { shown.insert(pointer) }
        default:
            let mine = errors.filter { $0.key == pointer || $0.key.hasPrefix(pointer + "/") }.sorted { $0.key < $1.key }
            if !mine.isEmpty {
                message = mine.map { $0.key == pointer ? $0.value : "\($0.key.dropFirst(pointer.count)): \($0.value)" }.joined(separator: "; ")
                shown.formUnion(mine.map(\.key))
            }
        }
        let errorID = id + "-error"
        let described = "aria-describedby=\"\(errorID)\(hint == nil ? "" : " \(id)-hint")\"" + (message == nil ? "" : " aria-invalid=\"true\"")
        let errorLine = "<p class=\"error\" id=\"\(errorID)\" data-pointer=\"\(HTML.escape(pointer))\">\(HTML.escape(message ?? ""))</p>"
        let hintLine = hint.map { "<p class=\"hint\" id=\"\(id)-hint\">\(HTML.escape($0))</p>" } ?? ""
        let requiredMark = required ? " <span class=\"required\">(required)</span>" : ""
        // Not the `required` attribute: it would stop a browser without JavaScript from sending
        // the answer given as JSON instead. The page's script checks these; the schema, always.
        let requiredAttribute = required ? " aria-required=\"true\" data-required=\"1\"" : ""
        func posted() -> String? { form?[name] }
        let fallback = schema["default"]

        switch control {
        case .constant(let value):
            return "<input type=\"hidden\" name=\"\(HTML.escape(name))\" value=\"\(HTML.escape(value.serialized()))\">"
        case .object(let properties, let requiredNames):
            var out = pointer.isEmpty ? "<div class=\"fields\">" : "<fieldset class=\"field\" id=\"\(id)\"><legend>\(HTML.escape(title))\(requiredMark)</legend>\(hintLine)"
            if pointer.isEmpty, message != nil || hint != nil { out += hintLine }
            out += errorLine
            for key in properties.keys.sorted(by: { (requiredNames.contains($0) ? 0 : 1, $0) < (requiredNames.contains($1) ? 0 : 1, $1) }) {
                out += render(properties[key] ?? [:], pointer: pointer + "/" + Self.escapePointer(key), label: key,
                              required: requiredNames.contains(key), form: form, errors: errors, shown: &shown)
            }
            return out + (pointer.isEmpty ? "</div>" : "</fieldset>")
        case .choice(let options):
            let current = posted() ?? fallback?.serialized() ?? ""
            var out = "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(title))\(requiredMark)</label>\(hintLine)"
            out += "<select id=\"\(id)\" name=\"\(HTML.escape(name))\" \(described)\(requiredAttribute)><option value=\"\">Choose…</option>"
            for option in options {
                let encoded = option.serialized()
                out += "<option value=\"\(HTML.escape(encoded))\"\(encoded == current ? " selected" : "")>\(HTML.escape(Self.display(option)))</option>"
            }
            return out + "</select>\(errorLine)</div>"
        case .boolean:
            let current = posted() ?? fallback.flatMap { $0.boolValue.map { $0 ? "true" : "false" } } ?? ""
            var out = "<fieldset class=\"field boolean\" id=\"\(id)\" \(described)><legend>\(HTML.escape(title))\(requiredMark)</legend>\(hintLine)"
            let choices = required ? [("true", "Yes"), ("false", "No")] : [("true", "Yes"), ("false", "No"), ("", "Not set")]
            for (index, (value, text)) in choices.enumerated() {
                out += "<label class=\"choice\"><input type=\"radio\" id=\"\(id)-\(index)\" name=\"\(HTML.escape(name))\" value=\"\(value)\""
                    + "\(value == current ? " checked" : "")\(required ? " data-required=\"1\"" : "")> \(text)</label>"
            }
            return out + errorLine + "</fieldset>"
        case .number(let integer):
            let current = posted() ?? fallback.map { Self.display($0) } ?? ""
            var attributes = " step=\"" + (schema["multipleOf"]?.doubleValue.map { Self.number($0) } ?? (integer ? "1" : "any")) + "\""
            if let minimum = schema["minimum"]?.doubleValue { attributes += " min=\"\(Self.number(minimum))\"" }
            if let maximum = schema["maximum"]?.doubleValue { attributes += " max=\"\(Self.number(maximum))\"" }
            return "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(title))\(requiredMark)</label>\(hintLine)"
                + "<input type=\"number\" inputmode=\"\(integer ? "numeric" : "decimal")\" id=\"\(id)\" name=\"\(HTML.escape(name))\" value=\"\(HTML.escape(current))\""
                + "\(attributes) \(described)\(requiredAttribute)>\(errorLine)</div>"
        case .text(let format):
            let current = posted() ?? fallback?.stringValue ?? ""
            var attributes = ""
            if let minimum = schema["minLength"]?.intValue { attributes += " minlength=\"\(minimum)\"" }
            if let maximum = schema["maxLength"]?.intValue { attributes += " maxlength=\"\(maximum)\"" }
            let type: String? = switch format {
            case "email": "email"
            case "uri", "url": "url"
            case "date": "date"
            case .some: "text"
            case nil: (schema["maxLength"]?.intValue ?? 1000) <= 120 ? "text" : nil
            }
            let field: String
            if let type {
                let placeholder = format == "date-time" ? " placeholder=\"2026-12-05T09:30:00Z\"" : ""
                field = "<input type=\"\(type)\" id=\"\(id)\" name=\"\(HTML.escape(name))\" value=\"\(HTML.escape(current))\"\(placeholder)\(attributes) \(described)\(requiredAttribute)>"
            } else {
                field = "<textarea id=\"\(id)\" name=\"\(HTML.escape(name))\" rows=\"3\"\(attributes) \(described)\(requiredAttribute)>\(HTML.escape(current))</textarea>"
            }
            return "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(title))\(requiredMark)</label>\(hintLine)\(field)\(errorLine)</div>"
        case .arrayOfChoices(let options):
            let chosen = Set(form?.all(name) ?? fallback?.arrayValue?.map { $0.serialized() } ?? [])
            var out = "<fieldset class=\"field\" id=\"\(id)\" \(described)><legend>\(HTML.escape(title))\(requiredMark)</legend>\(hintLine)"
            for (index, option) in options.enumerated() {
                let encoded = option.serialized()
                out += "<label class=\"choice\"><input type=\"checkbox\" id=\"\(id)-\(index)\" name=\"\(HTML.escape(name))\" value=\"\(HTML.escape(encoded))\""
                    + "\(chosen.contains(encoded) ? " checked" : "")> \(HTML.escape(Self.display(option)))</label>"
            }
            // Sent even when no box is ticked, so that "none" is an answer (an empty array).
            out += "<input type=\"hidden\" name=\"\(HTML.escape(name))\" value=\"\">"
            return out + errorLine + "</fieldset>"
        case .arrayOfScalars:
            let current = posted() ?? fallback?.arrayValue?.map { Self.display($0) }.joined(separator: "\n") ?? ""
            return "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(title))\(requiredMark) <span class=\"hint\">(one per line)</span></label>\(hintLine)"
                + "<textarea id=\"\(id)\" name=\"\(HTML.escape(name))\" rows=\"3\" \(described)>\(HTML.escape(current))</textarea>\(errorLine)</div>"
        case .arrayOfObjects(let item):
            var count = max(schema["minItems"]?.intValue ?? 0, fallback?.arrayValue?.count ?? 0, 1)
            if let form { count = max(count, Self.postedItems(form, name: name)) }
            if form?[Self.addField] == pointer { count += 1 }
            var out = "<fieldset class=\"field array\" id=\"\(id)\"><legend>\(HTML.escape(title))\(requiredMark)</legend>\(hintLine)\(errorLine)"
            for index in 0..<min(count, 200) {
                out += render(item, pointer: pointer + "/\(index)", label: "\(title) \(index + 1)", required: false, form: form ?? Self.defaults(fallback, name: name),
                              errors: errors, shown: &shown)
            }
            out += "<button type=\"submit\" name=\"\(Self.addField)\" value=\"\(HTML.escape(pointer))\" formnovalidate class=\"secondary\">Add an item to \(HTML.escape(title))</button>"
            return out + "</fieldset>"
        case .json:
            let current = posted() ?? fallback?.serialized() ?? ""
            return "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(title))\(requiredMark) <span class=\"hint\">(JSON)</span></label>\(hintLine)"
                + "<textarea id=\"\(id)\" name=\"\(HTML.escape(name))\" rows=\"3\" spellcheck=\"false\" data-json=\"1\" \(described)>\(HTML.escape(current))</textarea>\(errorLine)</div>"
        }
    }

    // MARK: Decoding

    /// The answer a posted form gives, or the problems that keep it from being one (by pointer).
    /// The schema itself is checked afterwards (``check(_:)``), as the daemon checks it again.
    func decode(_ form: FormFields) -> (value: JSON?, errors: Errors) {
        if let raw = form[Self.rawField], !raw.allSatisfy(\.isWhitespace) {
            do {
                return (try JSON(parsing: raw), [:])
            } catch {
                return (nil, ["": "the answer given as JSON is not JSON: \(error)"])
            }
        }
        var errors: Errors = [:]
        let value = decode(schema, pointer: "", form: form, errors: &errors)
        return (value ?? (Self.control(schema).isObject ? [:] : nil), errors)
    }

    private func decode(_ schema: JSON, pointer: String, form: FormFields, errors: inout Errors) -> JSON? {
        let name = "v" + pointer
        switch Self.control(schema) {
        case .constant(let value):
            return value
        case .object(let properties, _):
            var object: JSONObject = [:]
            for (key, property) in properties {
                if let value = decode(property, pointer: pointer + "/" + Self.escapePointer(key), form: form, errors: &errors) { object[key] = value }
            }
            return object.isEmpty && !pointer.isEmpty ? nil : .object(object)
        case .choice:
            guard let text = form[name], !text.isEmpty else { return nil }
            guard let value = try? JSON(parsing: text) else {
                errors[pointer] = "not one of the choices"
                return nil
            }
            return value
        case .boolean:
            switch form[name] {
            case "true": return true
            case "false": return false
            default: return nil
            }
        case .number(let integer):
            guard let text = form[name].map(Self.trim), !text.isEmpty else { return nil }
            guard let number = Double(text), number.isFinite else {
                errors[pointer] = "not a number: \(text)"
                return nil
            }
            if integer, number.rounded() != number {
                errors[pointer] = "a whole number is needed"
                return nil
            }
            return .number(number)
        case .text:
            guard let text = form[name], !text.isEmpty else { return nil }
            return .string(text.replacing("\r\n", with: "\n"))
        case .arrayOfChoices:
            let texts = form.all(name).filter { !$0.isEmpty }
            guard form.hasAny(under: name) else { return nil }
            var values: [JSON] = []
            for text in texts {
                guard let value = try? JSON(parsing: text) else {
                    errors[pointer] = "not one of the choices"
                    return nil
                }
                values.append(value)
            }
            return .array(values)
        case .arrayOfScalars(let item):
            guard let text = form[name] else { return nil }
            let lines = text.split(whereSeparator: \.isNewline).map { Self.trim(String($0)) }.filter { !$0.isEmpty }
            if lines.isEmpty { return nil }
            var values: [JSON] = []
            for (index, line) in lines.enumerated() {
                switch Self.control(item) {
                case .number(let integer):
                    guard let number = Double(line), number.isFinite, !integer || number.rounded() == number else {
                        errors[pointer + "/\(index)"] = "line \(index + 1) is not \(integer ? "a whole number" : "a number"): \(line)"
                        return nil
                    }
                    values.append(.number(number))
                case .boolean:
                    guard line == "true" || line == "false" else {
                        errors[pointer + "/\(index)"] = "line \(index + 1) is not true or false: \(line)"
                        return nil
                    }
                    values.append(.bool(line == "true"))
                default:
                    values.append(.string(line))
                }
            }
            return .array(values)
        case .arrayOfObjects(let item):
            let count = Self.postedItems(form, name: name)
            var values: [JSON] = []
            for index in 0..<count {
                if let value = decode(item, pointer: pointer + "/\(index)", form: form, errors: &errors) { values.append(value) }
            }
            return values.isEmpty ? nil : .array(values)
        case .json:
            guard let text = form[name], !text.allSatisfy(\.isWhitespace) else { return nil }
            do {
                return try JSON(parsing: text)
            } catch {
                errors[pointer] = "not JSON: \(error)"
                return nil
            }
        }
    }

    /// The answer checked against the schema, the problems placed at their pointers (a missing
    /// property at the property's own field).
    func check(_ value: JSON) -> Errors {
        guard let validator = try? JSONSchema(schema) else { return [:] }
        var errors: Errors = [:]
        for problem in validator.validate(value) {
            let pointer = Self.place(location: problem.instanceLocation, keyword: problem.keyword, message: problem.message)
            errors[pointer] = errors[pointer].map { $0 + "; " + problem.message } ?? problem.message
        }
        return errors
    }

    /// The daemon's problems (`"/path: message"`, as its `responseInvalid` error lists them) by pointer.
    static func errors(fromDaemon problems: [String]) -> Errors {
        var errors: Errors = [:]
        for problem in problems {
            guard let split = problem.firstRange(of: ": ") else {
                errors[""] = problem
                continue
            }
            let location = String(problem[..<split.lowerBound])
            let message = String(problem[split.upperBound...])
            let pointer = place(location: location == "/" ? "" : location,
                                keyword: message.hasPrefix("missing required property") ? "required" : "", message: message)
            errors[pointer] = errors[pointer].map { $0 + "; " + message } ?? message
        }
        return errors
    }

    private static func place(location: String, keyword: String, message: String) -> String {
        if keyword == "required", let open = message.firstIndex(of: "'"), let close = message.lastIndex(of: "'"), open < close {
            return location + "/" + escapePointer(String(message[message.index(after: open)..<close]))
        }
        return location
    }

    // MARK: Schema reading

    /// How a schema is shown.
    enum Control {
        case constant(JSON)
        case object(properties: JSONObject, required: Set<String>)
        case choice([JSON])
        case boolean
        case number(integer: Bool)
        case text(format: String?)
        case arrayOfChoices([JSON])
        case arrayOfScalars(item: JSON)
        case arrayOfObjects(item: JSON)
        case json

        var isObject: Bool { if case .object = self { true } else { false } }
    }

    static func control(_ schema: JSON) -> Control {
        guard case .object = schema else { return .json }
        if let constant = schema["const"] { return .constant(constant) }
        if let options = schema["enum"]?.arrayValue { return .choice(options) }
        if schema["oneOf"] != nil || schema["anyOf"] != nil || schema["$ref"] != nil || schema["if"] != nil { return .json }
        let type: String?
        switch schema["type"] {
        case .string(let name): type = name
        case .array(let names): type = names.compactMap(\.stringValue).first { $0 != "null" }
        default: type = schema["properties"] != nil ? "object" : schema["items"] != nil ? "array" : nil
        }
        switch type {
        case "object":
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let properties = schema["properties"]?.objectValue ?? [:]
            // An object whose properties the schema does not list is typed as JSON.
            if properties.isEmpty { return .json }
            return .object(properties: properties, required: required)
        case "boolean": return .boolean
        case "integer": return .number(integer: true)
        case "number": return .number(integer: false)
        case "string": return .text(format: schema["format"]?.stringValue)
        case "array":
            let item = schema["items"] ?? [:]
            switch control(item) {
            case .choice(let options): return .arrayOfChoices(options)
            case .number, .text, .boolean: return .arrayOfScalars(item: item)
            case .object: return .arrayOfObjects(item: item)
            default: return .json
            }
        default: return .json
        }
    }

    private static func postedItems(_ form: FormFields, name: String) -> Int {
        var count = 0
        for pair in form.pairs where pair.name.hasPrefix(name + "/") {
            let rest = pair.name.dropFirst(name.count + 1)
            if let index = Int(rest.prefix { $0 != "/" }), index < 200 { count = max(count, index + 1) }
        }
        return count
    }

    /// A default array of objects as the form fields that would show it.
    private static func defaults(_ value: JSON?, name: String) -> FormFields? {
        guard let items = value?.arrayValue, !items.isEmpty else { return nil }
        var pairs: [(name: String, value: String)] = []
        func add(_ value: JSON, _ name: String) {
            switch value {
            case .object(let object): for (key, inner) in object { add(inner, name + "/" + escapePointer(key)) }
            case .array(let array): for (index, inner) in array.enumerated() { add(inner, name + "/\(index)") }
            case .bool(let flag): pairs.append((name, flag ? "true" : "false"))
            default: pairs.append((name, display(value)))
            }
        }
        for (index, item) in items.enumerated() { add(item, name + "/\(index)") }
        return FormFields(pairs: pairs)
    }

    static func escapePointer(_ token: String) -> String {
        token.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    static func display(_ value: JSON) -> String {
        switch value {
        case .string(let text): text
        case .number(let figure): number(figure)
        default: value.serialized()
        }
    }

    static func trim(_ text: String) -> String {
        var text = Substring(text)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
