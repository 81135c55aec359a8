import JSONSchema
import Testing
import WorkflowJSON
@testable import WorkflowConsole

@Suite("A request's schema as a form, and the form back as the answer")
struct SchemaFormTests {
    static let schema: JSON = try! JSON(parsing: """
        {"type": "object", "required": ["approved", "priority"],
         "properties": {
           "approved": {"type": "boolean"},
           "priority": {"type": "integer", "minimum": 1, "maximum": 5},
           "ratio": {"type": "number"},
           "channel": {"enum": ["email", "chat", 3]},
           "kinds": {"type": "array", "items": {"enum": ["a", "b", "c"]}},
           "tags": {"type": "array", "items": {"type": "string"}},
           "scores": {"type": "array", "items": {"type": "integer"}},
           "people": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 40}, "age": {"type": "integer"}}}},
           "reviewer": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}, "a/b": {"type": "string", "maxLength": 10}}},
           "extra": {"oneOf": [{"type": "string"}, {"type": "number"}]},
           "kind": {"const": "review"}
         }}
        """)
    let form = SchemaForm(schema: Self.schema, formID: "f")

    @Test("each kind of field decodes to the JSON value the schema describes; empty fields are left out")
    func decodesEveryKind() throws {
        let posted = FormFields(pairs: [
            ("v/approved", "false"), ("v/priority", " 3 "), ("v/ratio", "0.5"), ("v/channel", "3"),
            ("v/kinds", "\"a\""), ("v/kinds", "\"c\""), ("v/kinds", ""),
            ("v/tags", "x\r\n\r\n y \n"), ("v/scores", "1\n2"),
            ("v/people/0/name", "Ada"), ("v/people/0/age", ""), ("v/people/1/name", ""), ("v/people/1/age", ""),
            ("v/reviewer/email", ""), ("v/reviewer/a~1b", "slash"), ("v/extra", "42"),
        ])
        let (value, errors) = form.decode(posted)
        #expect(errors == [:])
        let expected = try JSON(parsing: """
            {"approved": false, "priority": 3, "ratio": 0.5, "channel": 3, "kinds": ["a", "c"], "tags": ["x", "y"], "scores": [1, 2],
             "people": [{"name": "Ada"}], "reviewer": {"a/b": "slash"}, "extra": 42, "kind": "review"}
            """)
        #expect(value == expected)
        #expect(form.check(try #require(value)) == [:])
    }

    @Test("a value a field cannot hold is an error at that field's pointer, and nothing is sent")
    func fieldErrorsAtTheirPointers() {
        let (_, errors) = form.decode(FormFields(pairs: [("v/approved", "true"), ("v/priority", "2.5"), ("v/ratio", "lots"),
                                                         ("v/scores", "1\nten"), ("v/extra", "{nope")]))
        #expect(errors["/priority"] == "a whole number is needed")
        #expect(errors["/ratio"] == "not a number: lots")
        #expect(errors["/scores/1"]?.contains("line 2 is not a whole number") == true)
        #expect(errors["/extra"]?.hasPrefix("not JSON") == true)
    }

    @Test("the schema's own problems are placed at their fields: a missing property at the property, a bound at the value")
    func schemaErrorsPlaced() {
        let errors = form.check(["priority": 9, "people": [["age": "old"]]])
        #expect(errors["/approved"] == "missing required property 'approved'")
        #expect(errors["/priority"]?.contains("at most 5") == true)
        #expect(errors["/people/0/age"] != nil)
        // The daemon's problems, as its responseInvalid error lists them, land at the same pointers.
        let fromDaemon = SchemaForm.errors(fromDaemon: ["/: missing required property 'approved'", "/priority: must be at most 5 (got 9)"])
        #expect(fromDaemon["/approved"] == "missing required property 'approved'")
        #expect(fromDaemon["/priority"] == "must be at most 5 (got 9)")
    }

    @Test("the answer given as JSON wins over the fields, and is checked as JSON")
    func rawAnswer() {
        let (value, errors) = form.decode(FormFields(pairs: [("v/priority", "1"), (SchemaForm.rawField, "{\"approved\": true, \"priority\": 4}")]))
        #expect(errors == [:])
        #expect(value == ["approved": true, "priority": 4])
        let (_, bad) = form.decode(FormFields(pairs: [(SchemaForm.rawField, "{\"approved\": tru")]))
        #expect(bad[""]?.hasPrefix("the answer given as JSON is not JSON") == true)
    }

    @Test("the form shows every field with a label, bounds as attributes, errors at their fields, and what was posted")
    func rendersFields() {
        let html = form.fields(form: FormFields(pairs: [("v/priority", "9"), ("v/reviewer/email", "a<b")]),
                               errors: ["/priority": "must be at most 5", "/nowhere": "a problem no field shows"])
        #expect(html.contains("type=\"number\""))
        #expect(html.contains("min=\"1\"") && html.contains("max=\"5\"") && html.contains("step=\"1\""))
        #expect(html.contains("value=\"9\""), "what was posted is shown again")
        #expect(html.contains("value=\"a&lt;b\""), "and escaped")
        #expect(html.contains("type=\"email\""))
        #expect(html.contains("data-pointer=\"/priority\">must be at most 5</p>"))
        #expect(html.contains("aria-invalid=\"true\""))
        #expect(html.contains("<li><code>/nowhere</code>: a problem no field shows</li>"), "an error no field shows is listed above them")
        #expect(html.contains("type=\"radio\"") && html.contains("type=\"checkbox\""))
        #expect(html.contains("<select"))
        #expect(html.contains("name=\"v/reviewer/a~1b\""), "a property's name is escaped as a JSON Pointer token")
        #expect(html.contains("name=\"__json\""), "the whole answer may be given as JSON")
        #expect(!html.contains(" required"), "no `required` attribute: it would block the JSON answer without JavaScript")
        // Every visible control has a label that names it (for=id), or is inside one.
        for id in ["f--2fpriority", "f--2fratio", "f--2fchannel", "f--2ftags", "f--2fextra"] {
            #expect(html.contains("<label for=\"\(id)\""), "label for \(id)")
        }
    }

    @Test("an array of objects grows by one item when its add button is pressed (no JavaScript needed)")
    func addsAnItem() {
        let before = form.fields(form: nil, errors: [:])
        #expect(before.contains("name=\"v/people/0/name\""))
        #expect(!before.contains("name=\"v/people/1/name\""))
        let after = form.fields(form: FormFields(pairs: [("v/people/0/name", "Ada"), (SchemaForm.addField, "/people")]), errors: [:])
        #expect(after.contains("name=\"v/people/1/name\""))
        #expect(after.contains("value=\"Ada\""))
    }

    @Test("a schema that is not an object is one field for the whole answer")
    func scalarSchema() {
        let form = SchemaForm(schema: ["type": "integer", "maximum": 3], formID: "g")
        #expect(form.fields(form: nil, errors: [:]).contains("name=\"v\""))
        #expect(form.decode(FormFields(pairs: [("v", "2")])).value == 2)
        #expect(form.check(4)[""] != nil)
    }
}
