import JMESPath
import Testing
import WorkflowJSON

@Suite("JMESPath expressions")
struct JMESPathTests {
    @Test("conditions over {message, state}, as definitions use them")
    func conditions() throws {
        let input: JSON = ["message": ["score": 0.7, "tags": ["a", "b"]], "state": ["limit": 0.5]]
        #expect(try JMESPathExpression("message.score > `0.5`").matches(input))
        #expect(try JMESPathExpression("message.score > state.limit").matches(input))
        #expect(try !JMESPathExpression("message.score > `0.9`").matches(input))
        #expect(try JMESPathExpression("contains(message.tags, 'b')").matches(input))
        #expect(try JMESPathExpression("message.tags[?@ != 'a'] | [0]").evaluate(input) == "b")
        #expect(try JMESPathExpression("{total: length(message.tags), first: message.tags[0]}").evaluate(input) == ["total": 2, "first": "a"])
    }

    @Test("syntax errors give the position and what was expected", arguments: [
        ("foo.", 4, "expected an identifier, '*', '[' or '{' after '.', found the end of the expression"),
        ("foo[8:2&]", 7, "expected a number or ':' in a slice, found '&'"),
        ("foo#", 3, "unexpected character '#'"),
        ("a = b", 2, "'=' is not an operator (use '==')"),
        ("foo bar", 4, "unexpected identifier 'bar' after a complete expression"),
        ("`{bad json`", 0, "invalid JSON literal `{bad json`"),
        ("'unterminated", 0, "unterminated raw string"),
        ("foo[1:2:3:4]", 9, "a slice has at most three parts"),
        ("\"f\"()", 0, "a quoted identifier cannot name a function"),
        ("length(a,)", 9, "expected an argument after ','"),
    ])
    func syntaxErrors(expression: String, position: Int, message: String) {
        #expect {
            try JMESPathExpression(expression)
        } throws: { error in
            guard let error = error as? JMESPathError else { return false }
            return error.kind == .syntax && error.position == position && error.message == message
        }
    }

    @Test("unknown functions and wrong argument counts are found when compiling")
    func compileTimeChecks() {
        #expect {
            try JMESPathExpression("a || nope(b)")
        } throws: { error in
            guard let error = error as? JMESPathError else { return false }
            return error.kind == .unknownFunction && error.description == "unknown-function error at position 9 in \"a || nope(b)\": unknown function nope()"
        }
        #expect {
            try JMESPathExpression("length(a, b)")
        } throws: { error in
            guard let error = error as? JMESPathError else { return false }
            return error.kind == .invalidArity && error.message == "length() takes 1 argument, got 2"
        }
        #expect {
            try JMESPathExpression("merge()")
        } throws: { error in (error as? JMESPathError)?.message == "merge() takes at least 1 argument, got 0" }
    }

    @Test("type errors name the function, the argument and what it got")
    func typeErrors() throws {
        let expression = try JMESPathExpression("abs(name)")
        #expect {
            try expression.evaluate(["name": "x"])
        } throws: { error in
            guard let error = error as? JMESPathError else { return false }
            return error.kind == .invalidType && error.message == "argument 1 of abs() must be number, got string"
        }
        #expect {
            try JMESPathExpression("sort_by(@, &a)").evaluate([["a": 1], ["a": "x"]])
        } throws: { error in
            (error as? JMESPathError)?.message == "sort_by() needs values that are all numbers or all strings, got number, string"
        }
    }

    @Test("a compiled expression is shared safely between tasks")
    func concurrentUse() async throws {
        let expression = try JMESPathExpression("sum(values[?@ > `2`])")
        let results = await withTaskGroup(of: JSON.self) { group in
            for n in 0..<50 {
                group.addTask { (try? expression.evaluate(["values": .array((0...n).map { .number(Double($0)) })])) ?? .null }
            }
            var all: [JSON] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 50)
        #expect(results.contains(.number(Double((3...49).reduce(0, +)))))
    }

    @Test("object wildcards and values() are in key order, so results are deterministic")
    func objectOrder() throws {
        let value: JSON = ["b": 2, "a": 1, "c": 3]
        #expect(try JMESPathExpression("*").evaluate(value) == [1, 2, 3])
        #expect(try JMESPathExpression("values(@)").evaluate(value) == [1, 2, 3])
        #expect(try JMESPathExpression("keys(@)").evaluate(value) == ["a", "b", "c"])
    }
}
