import Testing
@testable import WorkflowConsole

@Suite("The console's access check")
struct ConsoleTokenTests {
    @Test("the token compares equal only when every byte is, and the cookie is found among others")
    func tokenAndCookie() {
        #expect(ConsoleToken.same("abc", "abc"))
        #expect(!ConsoleToken.same("abc", "abd"))
        #expect(!ConsoleToken.same("abc", "abcd"))
        #expect(ConsoleToken.cookie(in: ["theme=dark; workflowd_console=t0k; other=1"]) == "t0k")
        #expect(ConsoleToken.cookie(in: ["workflowd_console_x=1"]) == nil)
    }

    @Test("a random token is 32 hexadecimal digits, and two are different")
    func randomTokens() {
        let token = ConsoleConfiguration.randomToken()
        #expect(token.count == 32 && token.allSatisfy(\.isHexDigit))
        #expect(token != ConsoleConfiguration.randomToken())
    }
}
