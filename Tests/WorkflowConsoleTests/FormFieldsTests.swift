import Testing
@testable import WorkflowConsole

@Suite("Posted forms")
struct FormFieldsTests {
    @Test("percent escapes, plus signs and repeated names are read as a browser sends them")
    func decodesURLEncoding() {
        let fields = FormFields(encoded: "a=1+2&b=%C3%A9t%C3%A9&a=3&empty=&flag&bad=%zz")
        #expect(fields["a"] == "3")
        #expect(fields.all("a") == ["1 2", "3"])
        #expect(fields["b"] == "été")
        #expect(fields["empty"] == "")
        #expect(fields["flag"] == "")
        #expect(fields["bad"] == "%zz")
    }
}
